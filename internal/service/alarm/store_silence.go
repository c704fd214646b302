package alarm

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/silence"
)

// A silence changes in a commit, like an alarm: the change of its row, the silenced and
// unsilenced events it makes of the alarms it selects, and the generation of pulse_silence_gen,
// all in one transaction. Commits are serialised (see commit), so two nodes that both see a
// silence due to start (or end) do it once: the second finds its phase moved on.

// silenceAction is what a silence op does.
type silenceAction uint8

const (
	silenceCreate silenceAction = iota // store a new silence; started at once when due
	silenceStart                       // its startsAt came: mark the alarms it selects
	silenceEnd                         // its endsAt came: unmark the alarms it holds
	silenceDelete                      // someone ended it early
)

// silenceWork is an opSilence's task and outcome.
type silenceWork struct {
	action silenceAction
	s      *silence.Silence // create: the new silence (checked); else, after the commit, the one changed
	id     string           // start, end, delete
	scope  model.Scope      // delete: the silences the caller may see
}

// silenceTx is a commit's view of the silences: those not ended at the start of the transaction,
// as the store holds them (read again when the node's copy is of another generation), and what
// the commit changed.
type silenceTx struct {
	gen     int64
	list    []*silence.Silence
	changed bool
}

// silenceCols are pulse_silence's columns as the statements below read and write them.
const silenceCols = "id, created_by, created_ms, comment, matchers, starts_ms, ends_ms, until_cleared, phase"

// loadSilences makes the transaction's silence list: the node's copy when it is of generation gen,
// else the rows not ended, read in the transaction.
func (t storeTx) loadSilences(gen int64) (*silenceTx, error) {
	if cached, list := t.store.silences.Snapshot(); cached == gen {
		return &silenceTx{gen: gen, list: list}, nil
	}
	rows, err := t.tx.QueryContext(t.ctx, "SELECT "+silenceCols+" FROM pulse_silence WHERE phase < 2 ORDER BY created_ms, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	st := &silenceTx{gen: gen}
	for rows.Next() {
		s, err := scanSilence(rows)
		if err != nil {
			return nil, err
		}
		st.list = append(st.list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.store.silences.Replace(gen, st.list) // what the store holds: true whether this commit succeeds or not
	return st, nil
}

// scanSilence reads one row of silenceCols.
func scanSilence(rows interface{ Scan(...any) error }) (*silence.Silence, error) {
	var (
		s        silence.Silence
		matchers string
		until    int
		phase    int
	)
	if err := rows.Scan(&s.ID, &s.CreatedBy, &s.CreatedAt, &s.Comment, &matchers, &s.StartsAt, &s.EndsAt, &until, &phase); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(matchers), &s.Matchers); err != nil {
		return nil, err
	}
	s.UntilCleared, s.Started, s.Ended = until == 1, phase >= 1, phase >= 2
	return &s, s.Prepare()
}

// expandSilences runs the statements of ops' silence operations and follows each with the
// operations it makes of the alarms it selects (opResilence: each alarm's mark is decided again
// against the silences after the change). The other ops are left as they are.
func (t storeTx) expandSilences(ops []*op, st *silenceTx, now int64) ([]*op, error) {
	has := false
	for _, o := range ops {
		has = has || o.kind == opSilence
	}
	if !has {
		return ops, nil
	}
	out := make([]*op, 0, len(ops))
	for _, o := range ops {
		out = append(out, o)
		if o.kind != opSilence {
			continue
		}
		changed, err := t.silenceOp(o, st, now)
		if err != nil {
			return nil, err
		}
		if changed == nil {
			continue
		}
		if !changed.Started && !changed.Ended { // made to start later: nothing to mark yet
			if err := t.writeSilence(o.work.action, changed, now); err != nil {
				return nil, err
			}
			st.changed = true
			continue
		}
		keys, err := t.candidates(changed)
		if err != nil {
			return nil, err
		}
		if o.work.action == silenceCreate && changed.UntilCleared && len(keys) == 0 {
			o.err = gerror.NewCodef(consts.CodeConflict, "alarm %q is not active: there is nothing to shelve until it is cleared",
				changed.Matchers.Businesses[0]+"/"+changed.Matchers.AlarmIds[0])
			st.list = st.list[:len(st.list)-1]
			continue
		}
		if err := t.writeSilence(o.work.action, changed, now); err != nil {
			return nil, err
		}
		st.changed = true
		for _, k := range keys {
			out = append(out, &op{kind: opResilence, key: k})
		}
	}
	return out, nil
}

// silenceOp applies o's change to st.list and returns the silence changed (a copy: the node's
// copy is not touched before the commit), or nil when there is nothing to do (a timer of a silence
// another node moved on already). A deletion of a silence that is not there, or outside the
// caller's scope, and a creation beyond the store's silence limits, are o's error.
func (t storeTx) silenceOp(o *op, st *silenceTx, now int64) (*silence.Silence, error) {
	wk := o.work
	if wk.action == silenceCreate {
		if err := t.store.silenceLimits.Room(st.list, wk.s.CreatedBy, now); err != nil {
			o.err = gerror.NewCode(consts.CodeConflict, err.Error())
			return nil, nil
		}
		s := *wk.s
		s.Started = s.StartsAt <= now
		_ = s.Prepare()
		st.list = append(slices.Clip(st.list), &s) // never into the node's copy's array
		wk.s = &s
		return &s, nil
	}
	at := -1
	for i, s := range st.list {
		if s.ID == wk.id {
			at = i
		}
	}
	if at < 0 {
		if wk.action == silenceDelete {
			o.err = gerror.NewCodef(consts.CodeNotFound, "silence %q not found (or ended)", wk.id)
		}
		return nil, nil
	}
	s := *st.list[at]
	switch wk.action {
	case silenceDelete:
		if !s.Within(wk.scope) {
			o.err = gerror.NewCodef(consts.CodeNotFound, "silence %q not found (or ended)", wk.id)
			return nil, nil
		}
		s.Ended = true
	case silenceStart:
		if s.Started || s.StartsAt > now {
			return nil, nil
		}
		s.Started = true
	case silenceEnd:
		if s.UntilCleared || s.EndsAt > now {
			return nil, nil
		}
		s.Ended = true
	}
	_ = s.Prepare()
	if s.Ended {
		st.list = append(st.list[:at:at], st.list[at+1:]...)
	} else {
		st.list = append(append(st.list[:at:at], &s), st.list[at+1:]...)
	}
	wk.s = &s
	return &s, nil
}

// writeSilence stores what action made of s.
func (t storeTx) writeSilence(action silenceAction, s *silence.Silence, now int64) error {
	p := t.sql.placeholder
	phase := 0
	switch {
	case s.Ended:
		phase = 2
	case s.Started:
		phase = 1
	}
	if action == silenceCreate {
		matchers, err := json.Marshal(s.Matchers)
		if err != nil {
			return err
		}
		until := 0
		if s.UntilCleared {
			until = 1
		}
		_, err = t.tx.ExecContext(t.ctx, "INSERT INTO pulse_silence ("+silenceCols+") VALUES ("+
			p(1)+", "+p(2)+", "+p(3)+", "+p(4)+", "+p(5)+", "+p(6)+", "+p(7)+", "+p(8)+", "+p(9)+")",
			s.ID, s.CreatedBy, s.CreatedAt, s.Comment, string(matchers), s.StartsAt, s.EndsAt, until, phase)
		return err
	}
	if action == silenceDelete {
		_, err := t.tx.ExecContext(t.ctx, "UPDATE pulse_silence SET phase = 2, ends_ms = "+p(1)+" WHERE id = "+p(2), now, s.ID)
		return err
	}
	_, err := t.tx.ExecContext(t.ctx, "UPDATE pulse_silence SET phase = "+p(1)+" WHERE id = "+p(2), phase, s.ID)
	return err
}

// endShelved ends the silences until cleared whose alarms ops cleared.
func (t storeTx) endShelved(ops []*op, st *silenceTx, now int64) error {
	for _, o := range ops {
		if o.endSilence == "" {
			continue
		}
		for i, s := range st.list {
			if s.ID != o.endSilence {
				continue
			}
			if _, err := t.tx.ExecContext(t.ctx, "UPDATE pulse_silence SET phase = 2, ends_ms = "+t.sql.placeholder(1)+
				" WHERE id = "+t.sql.placeholder(2), now, s.ID); err != nil {
				return err
			}
			st.list = append(st.list[:i:i], st.list[i+1:]...)
			st.changed = true
			break
		}
	}
	return nil
}

// writeGen raises pulse_silence_gen when the commit changed a silence.
func (t storeTx) writeGen(st *silenceTx) error {
	if !st.changed {
		return nil
	}
	st.gen++
	_, err := t.tx.ExecContext(t.ctx, "UPDATE pulse_silence_gen SET gen = "+t.sql.placeholder(1)+" WHERE id = 1", st.gen)
	return err
}

// candidates are the keys of the alarms not cleared that s's businesses, levels and ids select
// (its text is left to silence.Matches: the operations decide each alarm exactly).
func (t storeTx) candidates(s *silence.Silence) ([]model.AlarmKey, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return t.sql.placeholder(len(args))
	}
	where = append(where, "status <> "+arg(model.StatusCleared))
	if !wildcard(s.Patterns()) {
		var or []string
		for _, pt := range s.Patterns() {
			if pt.ID == model.Wildcard {
				or = append(or, "business_type = "+arg(pt.Type))
			} else {
				or = append(or, "(business_type = "+arg(pt.Type)+" AND business_id = "+arg(pt.ID)+")")
			}
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	in := func(col string, values []string) {
		if len(values) == 0 {
			return
		}
		ph := make([]string, len(values))
		for i, v := range values {
			ph[i] = arg(v)
		}
		where = append(where, col+" IN ("+strings.Join(ph, ", ")+")")
	}
	in("level", s.Matchers.Levels)
	in("alarm_id", s.Matchers.AlarmIds)
	rows, err := t.tx.QueryContext(t.ctx, "SELECT alarm_id, business_type, business_id FROM pulse_alarm WHERE "+strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []model.AlarmKey
	for rows.Next() {
		var k model.AlarmKey
		if err := rows.Scan(&k.AlarmId, &k.BusinessType, &k.BusinessId); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// wildcard reports whether patterns hold "*".
func wildcard(patterns []model.Pattern) bool {
	for _, p := range patterns {
		if p.Type == "" {
			return true
		}
	}
	return false
}

// resilence decides an alarm's mark again after a change (a raise, a silence that started or
// ended): the silence that holds it now, and the event that says so ("" when its mark stays).
// A cleared alarm is held by none and makes no event (its clear dropped its mark).
func resilence(a *model.Alarm, list []*silence.Silence, now int64) (*model.SilenceMark, string) {
	if a == nil || a.Status == model.StatusCleared {
		return nil, ""
	}
	s := silence.Match(list, a, now)
	switch {
	case s == nil && a.Silenced == nil:
		return nil, ""
	case s == nil:
		return nil, model.EventUnsilenced
	case a.Silenced != nil && a.Silenced.Id == s.ID:
		return a.Silenced, ""
	}
	return s.Mark(), model.EventSilenced
}
