package alarm

import (
	"context"
	"slices"
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
	from        string // "FROM … WHERE …", whose last two placeholders are after and upTo
	lead        []any  // the arguments of the placeholders before those
	after, upTo int64
	measure     int // how many events the next page measures
}

// events pages through the events with after < seq <= upTo.
func (s *store) events(after, upTo int64) *eventPages {
	return &eventPages{store: s, from: "FROM pulse_alarm_event e WHERE e.seq > ? AND e.seq <= ?",
		after: after, upTo: upTo, measure: firstMeasure}
}

// openAlarms pages through the latest event of each alarm that is not cleared, for the alarms
// whose latest event has after < seq <= upTo.
func (s *store) openAlarms(after, upTo int64) *eventPages {
	return &eventPages{store: s, from: "FROM pulse_alarm a JOIN pulse_alarm_event e ON e.seq = a.seq " +
		"WHERE a.status <> ? AND a.seq > ? AND a.seq <= ?",
		lead: []any{statusCleared}, after: after, upTo: upTo, measure: firstMeasure}
}

// next returns the next page, empty at the end.
func (p *eventPages) next(ctx context.Context) ([]storedEvent, error) {
	db := p.store.db
	for p.after < p.upTo {
		sizes, err := db.GetAll(ctx, "SELECT e.seq, "+p.store.frameBytes+" AS size "+p.from+" ORDER BY e.seq LIMIT ?",
			append(slices.Clone(p.lead), p.after, p.upTo, p.measure)...)
		if err != nil || len(sizes) == 0 {
			return nil, err
		}
		taken, last, total := 1, sizes[0]["seq"].Int64(), sizes[0]["size"].Int()
		for _, r := range sizes[1:] {
			if total += 1 + r["size"].Int(); total > ReplayFrameBytes {
				break
			}
			taken, last = taken+1, r["seq"].Int64()
		}
		p.measure = min(2*taken, replayPage)
		rows, err := db.GetAll(ctx, "SELECT e.seq, e.alarm_id, e.frame "+p.from+" ORDER BY e.seq",
			append(slices.Clone(p.lead), p.after, last)...)
		if err != nil {
			return nil, err
		}
		p.after = last
		if len(rows) == 0 {
			continue // purged since they were measured
		}
		out := make([]storedEvent, len(rows))
		for i, r := range rows {
			out[i] = storedEvent{Seq: r["seq"].Int64(), AlarmId: r["alarm_id"].String(), Frame: r["frame"].Bytes()}
		}
		return out, nil
	}
	return nil, nil
}
