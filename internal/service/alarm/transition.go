package alarm

import (
	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/consts"
	"pulse/internal/model"
)

const statusCleared = model.StatusCleared

// opKind is what one operation asks of an alarm.
type opKind uint8

const (
	opRaise opKind = iota
	opAck
	opClear
)

// op is one operation on one alarm, and, once committed, what it became.
type op struct {
	kind  opKind
	raise model.AlarmBusinessData // opRaise
	id    string
	user  string // opAck

	seq   int64        // the event's seq; for an operation that changed nothing, the alarm's
	state *model.Alarm // the alarm after the operation
	err   error
}

// apply is the alarm lifecycle: it returns the state after o and the event it makes ("" when o
// changes nothing). cur is nil for an alarm never seen (or purged). now is server unix ms.
//
//	raise:  new or cleared -> active ("raised"); active or acked -> same status, count+1 ("repeated")
//	ack:    active -> acked; acked -> unchanged; cleared -> conflict; unknown -> not found
//	clear:  active or acked -> cleared; cleared -> unchanged; unknown -> not found
func apply(cur *model.Alarm, o *op, now int64) (*model.Alarm, string, error) {
	switch o.kind {
	case opRaise:
		next := &model.Alarm{AlarmBusinessData: o.raise, Status: model.StatusActive, Count: 1,
			FirstTime: o.raise.Time, LastTime: o.raise.Time}
		if cur == nil {
			return next, model.EventRaised, nil
		}
		next.Count, next.FirstTime = cur.Count+1, cur.FirstTime
		if cur.Status == model.StatusCleared {
			return next, model.EventRaised, nil
		}
		next.Status, next.AckedBy, next.AckTime = cur.Status, cur.AckedBy, cur.AckTime
		return next, model.EventRepeated, nil
	case opAck:
		switch {
		case cur == nil:
			return nil, "", notFound(o.id)
		case cur.Status == model.StatusCleared:
			return nil, "", gerror.NewCodef(consts.CodeConflict, "alarm %q is cleared: there is nothing to acknowledge", o.id)
		case cur.Status == model.StatusAcked:
			return cur, "", nil
		}
		next := *cur
		next.Status, next.AckedBy, next.AckTime = model.StatusAcked, o.user, now
		return &next, model.EventAcked, nil
	default: // opClear
		switch {
		case cur == nil:
			return nil, "", notFound(o.id)
		case cur.Status == model.StatusCleared:
			return cur, "", nil
		}
		next := *cur
		next.Status = model.StatusCleared
		return &next, model.EventCleared, nil
	}
}

func notFound(id string) error {
	return gerror.NewCodef(consts.CodeNotFound, "alarm %q not found", id)
}
