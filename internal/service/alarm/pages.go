package alarm

import (
	"context"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/model/entity"
)

const (
	// replayPage is the most events one page (a replay frame, a read of the store) holds.
	replayPage = 500
	// firstMeasure is how many events the first page of a read measures.
	firstMeasure = 16
)

// eventPages reads a range of events in seq order, a page at a time, each page no larger than
// ReplayFrameBytes (counting a newline between two frames) unless it is a single event.
//
// The history may hold events of any size, so a page is read in two steps, to load no more than
// that whatever the rows hold: the seq and size of the next events first, then the frames of
// those that fit. Measuring a size can cost the database a read of the whole value (SQLite, MySQL),
// so a page measures twice as many events as the previous one took, up to replayPage: a history
// of large events is measured a few at a time, one of small events soon 500 at a time.
//
// Events never change and new ones have a seq above upTo, so the second step reads the events the
// first one measured (fewer, if retention purged some in between).
type eventPages struct {
	store       *store
	rows        func(ctx context.Context, after, upTo int64) *gdb.Model // the events read, after < seq <= upTo
	after, upTo int64
	measure     int // how many events the next page measures
}

// events pages through the events with after < seq <= upTo of the alarms scope covers.
func (s *store) events(after, upTo int64, scope model.Scope) *eventPages {
	t, c := dao.PulseAlarmEvent.Table(), dao.PulseAlarmEvent.Columns()
	return &eventPages{store: s, after: after, upTo: upTo, measure: firstMeasure,
		rows: func(ctx context.Context, after, upTo int64) *gdb.Model {
			m := s.db.Model(t).Ctx(ctx).WherePrefixGT(t, c.Seq, after).WherePrefixLTE(t, c.Seq, upTo)
			return whereScope(m, t, scope)
		}}
}

// openAlarms pages through the latest event of each alarm that is not cleared, for the alarms
// scope covers whose latest event has after < seq <= upTo.
func (s *store) openAlarms(after, upTo int64, scope model.Scope) *eventPages {
	t, c := dao.PulseAlarm.Table(), dao.PulseAlarm.Columns()
	return &eventPages{store: s, after: after, upTo: upTo, measure: firstMeasure,
		rows: func(ctx context.Context, after, upTo int64) *gdb.Model {
			m := s.db.Model(t).Ctx(ctx).InnerJoinOnField(dao.PulseAlarmEvent.Table(), c.Seq).
				WherePrefixNot(t, c.Status, statusCleared).WherePrefixGT(t, c.Seq, after).WherePrefixLTE(t, c.Seq, upTo)
			return whereScope(m, t, scope)
		}}
}

// next returns the next page, empty at the end.
func (p *eventPages) next(ctx context.Context) ([]storedEvent, error) {
	t, c := dao.PulseAlarmEvent.Table(), dao.PulseAlarmEvent.Columns()
	bySeq := t + "." + c.Seq
	for p.after < p.upTo {
		sizes, err := p.rows(ctx, p.after, p.upTo).FieldsPrefix(t, c.Seq).Fields(gdb.Raw(p.store.messageBytes + " AS size")).
			OrderAsc(bySeq).Limit(p.measure).All()
		if err != nil || len(sizes) == 0 {
			return nil, err
		}
		taken, last, total := 1, sizes[0][c.Seq].Int64(), sizes[0]["size"].Int()
		for _, r := range sizes[1:] {
			if total += 1 + r["size"].Int(); total > ReplayFrameBytes {
				break
			}
			taken, last = taken+1, r[c.Seq].Int64()
		}
		p.measure = min(2*taken, replayPage)
		var rows []entity.PulseAlarmEvent
		err = p.rows(ctx, p.after, last).FieldsPrefix(t, c.Seq, c.AlarmId, c.BusinessType, c.BusinessId, c.Frame).
			OrderAsc(bySeq).Scan(&rows)
		if err != nil {
			return nil, err
		}
		p.after = last
		if len(rows) == 0 {
			continue // purged since they were measured
		}
		out := make([]storedEvent, len(rows))
		for i, r := range rows {
			out[i] = storedEvent{Seq: r.Seq, Message: []byte(r.Frame),
				Key: model.AlarmKey{BusinessType: r.BusinessType, BusinessId: r.BusinessId, AlarmId: r.AlarmId}}
		}
		return out, nil
	}
	return nil, nil
}
