// Package ingest validates, stamps and encodes what ingest services send, and hands it to the bus.
// HTTP and the in-process Go API both go through it, so both validate alike.
package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/util/guid"

	"pulse/internal/bus"
	"pulse/internal/consts"
	"pulse/internal/model"
)

// Service publishes row data and alarms. It never waits for a WebSocket client.
type Service struct {
	bus bus.Bus

	alarmMu sync.Mutex // seq order is publish order
	seq     int64
}

// New returns a service that publishes to b.
func New(b bus.Bus) *Service { return &Service{bus: b} }

// PublishRowData validates every item, then publishes all of them; one invalid item publishes none.
// batch says whether errors name the item's index.
func (s *Service) PublishRowData(ctx context.Context, items []model.BusinessData, batch bool) error {
	for i := range items {
		if err := ValidateRowData(&items[i]); err != nil {
			return atItem(i, batch, err)
		}
	}
	now := time.Now().UnixMilli()
	events := make([]bus.Event, len(items))
	for i := range items {
		d := &items[i]
		if d.Time == 0 {
			d.Time = now
		}
		frame, err := encode(model.RowDataFrame{Type: model.FrameRowData, Ts: now, Data: d})
		if err != nil {
			return atItem(i, batch, invalid("data", "must be valid JSON"))
		}
		events[i] = bus.Event{Channel: bus.RowData, BusinessType: d.BusinessType, BusinessId: d.BusinessId, Frame: frame}
	}
	return s.publish(ctx, events)
}

// PublishAlarms validates every alarm, then gives each a seq and publishes it; one invalid alarm
// publishes none. The receipts follow the order of items.
func (s *Service) PublishAlarms(ctx context.Context, items []model.AlarmBusinessData, batch bool) ([]model.AlarmReceipt, error) {
	for i := range items {
		if err := ValidateAlarm(&items[i]); err != nil {
			return nil, atItem(i, batch, err)
		}
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

	s.alarmMu.Lock()
	defer s.alarmMu.Unlock()
	receipts := make([]model.AlarmReceipt, len(items))
	events := make([]bus.Event, len(items))
	for i := range items {
		a := &items[i]
		seq := s.seq + int64(i) + 1
		frame, err := encode(model.AlarmFrame{Type: model.FrameAlarm, Seq: seq, Ts: now, Data: a})
		if err != nil {
			return nil, atItem(i, batch, invalid("data", "must be valid JSON"))
		}
		receipts[i] = model.AlarmReceipt{AlarmId: a.AlarmId, Seq: seq}
		events[i] = bus.Event{Channel: bus.Alarm, BusinessType: a.BusinessType, BusinessId: a.BusinessId, Frame: frame}
	}
	if err := s.publish(ctx, events); err != nil {
		return nil, err
	}
	s.seq += int64(len(items))
	return receipts, nil
}

// encode writes a frame object once for all its recipients. HTML characters stay as they are:
// the objects go to JSON parsers, not into HTML.
func encode(frame any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(frame); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

func (s *Service) publish(ctx context.Context, events []bus.Event) error {
	if err := s.bus.Publish(ctx, events...); err != nil {
		return gerror.WrapCode(consts.CodeUnavailable, err, "delivery bus unavailable")
	}
	return nil
}
