package alarm

import (
	"maps"
	"strconv"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/silence"
)

const statusCleared = model.StatusCleared

// opKind is what one operation asks of an alarm.
type opKind uint8

const (
	opRaise opKind = iota
	opAck
	opClear
	opSilence   // a silence's change (work): the commit expands it into opResilence of its alarms
	opResilence // decide an alarm's silence mark again (see resilence)
)

// op is one operation on one alarm, and, once committed, what it became.
type op struct {
	kind  opKind
	raise model.AlarmBusinessData // opRaise
	key   model.AlarmKey
	user  string // opAck, opClear: who acknowledges or clears
	// comment: opAck, opClear: what they say about it, kept in the state (AckComment,
	// ClearComment) of the event the operation makes.
	comment string
	scope   model.Scope // opAck, opClear: the alarms the caller may change
	// source: a clear sent by the alarm's source (ingest), to which an unknown alarm is no error.
	source bool
	claim  *claim       // an op of a request with an Idempotency-Key (see store_idempotency.go)
	work   *silenceWork // opSilence

	// endSilence: an opClear of an alarm shelved until cleared: the silence that ends with it.
	endSilence string

	seq   int64        // the event's seq; for an operation that changed nothing, the alarm's
	state *model.Alarm // the alarm after the operation
	err   error
}

// nextState is the alarm lifecycle: it returns the state after o and the event it makes ("" when o
// changes nothing). cur is nil for an alarm never seen (or purged). now is server unix ms.
//
//	raise:  new or cleared -> active ("raised"); active or acked -> same status, count+1 ("repeated")
//	ack:    active -> acked; acked -> unchanged; cleared -> conflict; unknown -> not found
//	clear:  active or acked -> cleared; cleared -> unchanged; unknown -> not found (from the
//	        source: unchanged)
//	ack or clear of an alarm outside the caller's scope: not found, as an unknown one
//
// A raise of a cleared alarm starts it afresh: who acknowledged and cleared it, and what they said,
// is forgotten. An acknowledgement or clear that changes nothing keeps no comment.
func nextState(cur *model.Alarm, o *op, now int64) (*model.Alarm, string, error) {
	if o.kind != opRaise && cur != nil && !o.scope.Covers(cur.BusinessType, cur.BusinessId) {
		return nil, "", notFound(o.key)
	}
	switch o.kind {
	case opSilence, opResilence:
		return cur, "", nil // resilence decides, in transition
	case opRaise:
		next := &model.Alarm{AlarmBusinessData: o.raise, Status: model.StatusActive, Count: 1,
			FirstTime: o.raise.Time, LastTime: o.raise.Time}
		next.Action = ""
		if cur == nil {
			return next, model.EventRaised, nil
		}
		next.Count, next.FirstTime = cur.Count+1, cur.FirstTime
		if cur.Status == model.StatusCleared {
			return next, model.EventRaised, nil
		}
		next.Silenced = cur.Silenced // resilence decides whether it stays
		next.Status, next.AckedBy, next.AckTime, next.AckComment = cur.Status, cur.AckedBy, cur.AckTime, cur.AckComment
		return next, model.EventRepeated, nil
	case opAck:
		switch {
		case cur == nil:
			return nil, "", notFound(o.key)
		case cur.Status == model.StatusCleared:
			return nil, "", gerror.NewCodef(consts.CodeConflict, "alarm %q is cleared: there is nothing to acknowledge", o.key.String())
		case cur.Status == model.StatusAcked:
			return cur, "", nil
		}
		next := *cur
		next.Status, next.AckedBy, next.AckTime, next.AckComment = model.StatusAcked, o.user, now, o.comment
		return &next, model.EventAcked, nil
	default: // opClear
		switch {
		case cur == nil && o.source:
			return nil, "", nil
		case cur == nil:
			return nil, "", notFound(o.key)
		case cur.Status == model.StatusCleared:
			return cur, "", nil
		}
		next := *cur
		next.Status, next.ClearedBy, next.ClearTime, next.ClearComment = model.StatusCleared, o.user, now, o.comment
		if cur.Silenced != nil && cur.Silenced.EndsAt == 0 {
			o.endSilence = cur.Silenced.Id // shelved until cleared: the silence ends with the clear
		}
		next.Silenced = nil // a cleared alarm is held by no silence: a raise decides afresh
		return &next, model.EventCleared, nil
	}
}

// storedAlarm is an alarm as the store holds it: its state and the seq of its latest event.
type storedAlarm struct {
	state *model.Alarm
	seq   int64
}

// changedAlarm is an alarm that a run of operations changed: its state after them all, and the
// seq of its latest event.
type changedAlarm struct {
	key model.AlarmKey
	storedAlarm
	encoded []byte // state as JSON
	isNew   bool   // not stored before: its row is inserted, not updated
}

// alarmFrame is the event's message, model.AlarmMessage as model.Encode writes it, around the
// state already encoded for its row: the state is encoded once.
func alarmFrame(seq, ts int64, event string, state []byte) []byte {
	b := make([]byte, 0, len(state)+len(event)+80)
	b = append(b, `{"type":"`+model.TypeAlarm+`","seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"event":"`...)
	b = append(b, event...) // one of model's event names: nothing to escape
	b = append(b, `","data":`...)
	b = append(b, state...)
	return append(b, '}')
}

// transition runs ops in order over the stored alarms they name (an alarm absent from stored is
// new), numbering their events from last+1. Each op gets its outcome (o.state, o.seq, o.err): an
// op that fails changes nothing and does not stop the others. It returns the events, in seq order,
// and the alarms changed, each once, in the order of their first change. It touches no storage.
//
// silences are those not ended, as the commit left them: a raise, and an opResilence, is
// followed by a silenced or unsilenced event when the silence that holds the alarm changes. Every
// event carries the alarm after it and before it: the commit plans its notifications from them.
func transition(stored map[model.AlarmKey]storedAlarm, ops []*op, last, now int64, silences []*silence.Silence) ([]storedEvent, []changedAlarm, error) {
	cur := maps.Clone(stored)
	var events []storedEvent
	var changed []changedAlarm
	at := map[model.AlarmKey]int{} // index in changed, by key
	emit := func(key model.AlarmKey, next *model.Alarm, event string) error {
		last++
		state, err := model.Encode(next)
		if err != nil {
			return err
		}
		prev := cur[key].state
		cur[key] = storedAlarm{state: next, seq: last}
		events = append(events, storedEvent{Seq: last, Key: key, Message: alarmFrame(last, now, event, state),
			Event: event, State: next, Prev: prev})
		if i, ok := at[key]; ok {
			changed[i].storedAlarm, changed[i].encoded = cur[key], state
			return nil
		}
		_, existed := stored[key]
		at[key] = len(changed)
		changed = append(changed, changedAlarm{key: key, storedAlarm: cur[key], encoded: state, isNew: !existed})
		return nil
	}
	for _, o := range ops {
		if o.kind == opSilence {
			continue
		}
		next, event, err := nextState(cur[o.key].state, o, now)
		if err != nil {
			o.err = err
			continue
		}
		if event == "" {
			o.state, o.seq = next, cur[o.key].seq // a source's clear of an unknown alarm: nil, 0
		} else {
			if err := emit(o.key, next, event); err != nil {
				return nil, nil, err
			}
			o.state, o.seq = next, last
		}
		if o.kind != opRaise && o.kind != opResilence {
			continue
		}
		mark, event := resilence(next, silences, now)
		if event == "" {
			continue
		}
		marked := *next
		marked.Silenced = mark
		if err := emit(o.key, &marked, event); err != nil {
			return nil, nil, err
		}
		o.state = &marked
	}
	return events, changed, nil
}

// notFound is the answer for an alarm that is not stored, and for one the caller may not see: the
// two look alike, so that nobody learns of another business's alarms by their ids.
func notFound(key model.AlarmKey) error {
	return gerror.NewCodef(consts.CodeNotFound, "alarm %q not found", key.String())
}
