package ingest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// RowDataAnswers bounds the row-data answers a node keeps for retries: past it, the oldest is
// forgotten first (a retry of it would be published again). A key takes at most about 400 bytes.
const RowDataAnswers = 100_000

// retries is what the service knows of Idempotency-Keys: the requests being handled on this node,
// per endpoint (a key of one endpoint is not one of the other), and the row-data answers. Alarm
// answers are in the alarm store.
type retries struct {
	alarms, rowData *idempotency.InFlight
	rowAnswers      *idempotency.Recent // the answer is the body's item count: the key is enough

	rowDataReplayed, alarmsReplayed atomic.Int64 // requests answered again, for the metrics endpoint
}

// Replayed returns how many row-data and alarm requests were answered again for their
// Idempotency-Key (nothing published or stored) so far.
func (s *Service) Replayed() (rowData, alarms int64) {
	return s.keys.rowDataReplayed.Load(), s.keys.alarmsReplayed.Load()
}

func newRetries(window time.Duration) *retries {
	return &retries{alarms: idempotency.NewInFlight(), rowData: idempotency.NewInFlight(),
		rowAnswers: idempotency.NewRecent(RowDataAnswers, window)}
}

// PublishRowDataOnce is PublishRowData for a request that carried key: a repeat of an answered
// request (same key and body, within the window, on this node) publishes nothing and returns
// replayed true; a repeat while the first is handled is refused (409 code 1411), the key with
// another body too (422 code 1422). Only a request that was published is kept.
func (s *Service) PublishRowDataOnce(ctx context.Context, key idempotency.Key, items []model.BusinessData, batch bool) (replayed bool, err error) {
	err = s.publishRowData(ctx, &key, items, batch, &replayed)
	return replayed, err
}

// PublishAlarmsOnce is PublishAlarms for a request that carried key: a repeat of an answered
// request (same key and body, within the window, on any node sharing the database) stores nothing
// and returns the first receipts with replayed true; a repeat while the first is handled on this
// node is refused (409 code 1411), the key with another body too (422 code 1422). Only a request
// that was stored is kept.
func (s *Service) PublishAlarmsOnce(ctx context.Context, key idempotency.Key, items []model.AlarmBusinessData, batch bool) (receipts []model.AlarmReceipt, replayed bool, err error) {
	receipts, err = s.publishAlarms(ctx, &key, items, batch, &replayed)
	return receipts, replayed, err
}

// publishRows publishes events, once per key when key is not nil.
func (s *Service) publishRows(ctx context.Context, key *idempotency.Key, events []bus.Event) (replayed bool, err error) {
	if key == nil {
		return false, s.publish(ctx, events)
	}
	end, err := s.keys.rowData.Begin(*key)
	if err != nil {
		return false, err
	}
	defer end()
	if answered, err := s.keys.rowAnswers.Answered(*key); err != nil || answered {
		if answered {
			s.keys.rowDataReplayed.Add(1)
		}
		return answered, err
	}
	if err := s.publish(ctx, events); err != nil {
		return false, err
	}
	s.keys.rowAnswers.Put(*key)
	return false, nil
}

// raise stores alarms, once per key when key is not nil.
func (s *Service) raise(ctx context.Context, key *idempotency.Key, items []model.AlarmBusinessData, clearedBy string) ([]model.AlarmReceipt, bool, error) {
	if key == nil {
		receipts, err := s.alarms.Raise(ctx, items, clearedBy)
		return receipts, false, err
	}
	end, err := s.keys.alarms.Begin(*key)
	if err != nil {
		return nil, false, err
	}
	defer end()
	receipts, replayed, err := s.alarms.RaiseOnce(ctx, *key, items, clearedBy)
	if replayed {
		s.keys.alarmsReplayed.Add(1)
	}
	return receipts, replayed, err
}
