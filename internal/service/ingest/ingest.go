// Package ingest validates, stamps and encodes what ingest services send, and hands it to the bus.
// HTTP and the in-process Go API both go through it, so both validate alike.
package ingest

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/util/guid"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// Service publishes row data and alarms. It never waits for a WebSocket client.
type Service struct {
	bus    bus.Bus
	alarms AlarmStore

	rowDataAccepted atomic.Int64 // items published, for the metrics endpoint
	alarmsAccepted  atomic.Int64 // alarms committed

	keys *retries // Idempotency-Keys (see idempotency.go)

	notices notices // see notice.go
}

// Accepted returns how many row-data items were published and alarms committed so far (HTTP and
// the in-process Go API alike).
func (s *Service) Accepted() (rowData, alarms int64) {
	return s.rowDataAccepted.Load(), s.alarmsAccepted.Load()
}

// AlarmStore stores alarms durably and rings the bus for them (service/alarm). Items whose action
// is "clear" clear their alarm, as clearedBy.
type AlarmStore interface {
	Raise(ctx context.Context, items []model.AlarmBusinessData, clearedBy string) ([]model.AlarmReceipt, error)
	// RaiseOnce is Raise for a request with an Idempotency-Key: a key stored with the same body
	// returns the stored receipts and replayed true, and raises nothing.
	RaiseOnce(ctx context.Context, key idempotency.Key, items []model.AlarmBusinessData, clearedBy string) (receipts []model.AlarmReceipt, replayed bool, err error)
}

// New returns a service that publishes row data to b and hands alarms to alarms. A row-data answer
// given to an Idempotency-Key is replayed for idempotencyWindow.
func New(b bus.Bus, alarms AlarmStore, idempotencyWindow time.Duration) *Service {
	return &Service{bus: b, alarms: alarms, keys: newRetries(idempotencyWindow)}
}

// PublishRowData validates every item, then publishes all of them; one invalid item publishes none.
// batch says whether errors name the item's index.
func (s *Service) PublishRowData(ctx context.Context, items []model.BusinessData, batch bool) error {
	return s.publishRowData(ctx, nil, items, batch, nil)
}

// publishRowData is PublishRowData, once per key when key is not nil (see PublishRowDataOnce,
// which hears through replayed whether the answer was given before).
func (s *Service) publishRowData(ctx context.Context, key *idempotency.Key, items []model.BusinessData, batch bool, replayed *bool) error {
	for i := range items {
		if err := ValidateRowData(&items[i]); err != nil {
			return atItem(i, batch, err)
		}
	}
	if err := notReserved(items, batch, func(d *model.BusinessData) string { return d.BusinessType }); err != nil {
		return err
	}
	if err := permit(ctx, ingestkey.KindRowData, batch, func() []ingestkey.Item {
		return businesses(items, func(d *model.BusinessData) (string, string) { return d.BusinessType, d.BusinessId })
	}); err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	events := make([]bus.Event, len(items))
	for i := range items {
		d := &items[i]
		if d.Time == 0 {
			d.Time = now
		}
		message, err := model.Encode(model.RowDataMessage{Type: model.TypeRowData, Ts: now, Data: d})
		if err != nil {
			return atItem(i, batch, invalid("data", "must be valid JSON"))
		}
		events[i] = bus.Event{Channel: bus.RowData, BusinessType: d.BusinessType, BusinessId: d.BusinessId, Message: message}
	}
	if again, err := s.publishRows(ctx, key, events); err != nil || again {
		if again {
			*replayed = true
		}
		return err
	}
	s.rowDataAccepted.Add(int64(len(events)))
	return nil
}

// PublishAlarms validates every alarm, fills in its id and time, and stores them all; one invalid
// alarm stores none. It returns once they are committed, with receipts in the order of items. An
// item with the action "clear" clears its alarm (the source resolved it): clearedBy is the ingest
// key's name, or "ingest" without a key.
func (s *Service) PublishAlarms(ctx context.Context, items []model.AlarmBusinessData, batch bool) ([]model.AlarmReceipt, error) {
	return s.publishAlarms(ctx, nil, items, batch, nil)
}

// publishAlarms is PublishAlarms, once per key when key is not nil (see PublishAlarmsOnce, which
// hears through replayed whether the answer was given before).
func (s *Service) publishAlarms(ctx context.Context, key *idempotency.Key, items []model.AlarmBusinessData, batch bool, replayed *bool) ([]model.AlarmReceipt, error) {
	for i := range items {
		if err := ValidateAlarm(&items[i]); err != nil {
			return nil, atItem(i, batch, err)
		}
		if len(items[i].Data) > 0 && !json.Valid(items[i].Data) {
			return nil, atItem(i, batch, invalid("data", "must be valid JSON"))
		}
	}
	if err := notReserved(items, batch, func(a *model.AlarmBusinessData) string { return a.BusinessType }); err != nil {
		return nil, err
	}
	if err := permit(ctx, ingestkey.KindAlarm, batch, func() []ingestkey.Item {
		return businesses(items, func(a *model.AlarmBusinessData) (string, string) { return a.BusinessType, a.BusinessId })
	}); err != nil {
		return nil, err
	}
	clearedBy := "ingest"
	if k, ok := ingestkey.FromContext(ctx); ok {
		clearedBy = k.Name()
	}
	now := time.Now().UnixMilli()
	for i := range items {
		a := &items[i]
		if a.AlarmId == "" {
			a.AlarmId = "a-" + guid.S()
		}
		if a.Time == 0 {
			a.Time = now
		}
	}
	receipts, again, err := s.raise(ctx, key, items, clearedBy)
	if again {
		*replayed = true
	} else if err == nil {
		s.alarmsAccepted.Add(int64(len(items)))
	}
	return receipts, err
}

// businesses lists the business of each item, for permit.
func businesses[T any](items []T, of func(*T) (string, string)) []ingestkey.Item {
	out := make([]ingestkey.Item, len(items))
	for i := range items {
		out[i].Type, out[i].ID = of(&items[i])
	}
	return out
}

func (s *Service) publish(ctx context.Context, events []bus.Event) error {
	if err := s.bus.Publish(ctx, events...); err != nil {
		return gerror.WrapCode(consts.CodeUnavailable, err, "delivery bus unavailable")
	}
	return nil
}
