package alarm

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// commit applies ops in order in one transaction and returns the events they made, in seq order.
// Each op gets its result (or its own error: an unknown alarm fails that op only). If the
// transaction fails, nothing is stored and the error is returned. What the ops do is transition's
// to say; commit reads and writes.
//
// The transaction starts by updating the pulse_alarm_seq row: that takes its lock (a row lock in
// MySQL and PostgreSQL, the write lock in SQLite), so commits are serialised, also between nodes,
// and seq order is commit order. A reader that sees seq S committed sees every event up to S.
//
// However many ops, a commit is the same few statements (see writeSQL): lock, read the last seq,
// read the alarms named, insert the events, insert or update the alarms, write the last seq. They
// run on the store's write connection (see writeConn).
func (s *store) commit(ctx context.Context, ops []*op, now int64) ([]storedEvent, error) {
	events, changed, err := s.commitTx(ctx, ops, now)
	if err != nil {
		for _, o := range ops {
			o.state, o.seq, o.err = nil, 0, nil
		}
		s.dropWriteConn() // whatever failed, the next commit starts on a connection of its own
		return nil, err
	}
	s.cache.put(changed)
	return events, nil
}

// commitTx is commit's transaction.
func (s *store) commitTx(ctx context.Context, ops []*op, now int64) ([]storedEvent, []changedAlarm, error) {
	if s.dialect == "sqlite" {
		s.writer.Lock()
		defer s.writer.Unlock()
	}
	conn, err := s.writeConn(ctx, len(ops))
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	var sil *silenceTx
	events, changed, err := s.runCommit(storeTx{ctx: ctx, tx: tx, store: s, sql: &s.write, silences: &sil}, ops, now)
	if err == nil {
		err = tx.Commit()
	} else {
		_ = tx.Rollback()
	}
	if err != nil {
		if sil != nil {
			s.silences.Invalidate() // the copy has changes that were not committed: read it again
		}
		return nil, nil, err
	}
	if s.notified != nil && len(events) > 0 {
		s.notified() // the dispatcher reads the outbox now rather than at its next poll
	}
	return events, changed, nil
}

// runCommit runs the statements of a commit in its transaction.
func (s *store) runCommit(t storeTx, ops []*op, now int64) ([]storedEvent, []changedAlarm, error) {
	if _, err := t.tx.ExecContext(t.ctx, t.sql.lock); err != nil {
		return nil, nil, err
	}
	var last, gen int64
	if err := t.tx.QueryRowContext(t.ctx, t.sql.lastSeq).Scan(&last, &gen); err != nil {
		return nil, nil, err
	}
	sil, err := t.loadSilences(gen)
	if err != nil {
		return nil, nil, err
	}
	ops, claims, err := t.claimKeys(ops, now) // replays and refusals are not applied
	if err != nil {
		return nil, nil, err
	}
	if ops, err = t.expandSilences(ops, sil, now); err != nil {
		return nil, nil, err
	}
	stored, err := t.loadAlarms(ops)
	if err != nil {
		return nil, nil, err
	}
	events, changed, err := transition(stored, ops, last, now, sil.list)
	if err == nil {
		err = t.keepAnswers(claims, now)
	}
	if err == nil {
		err = t.endShelved(ops, sil, now)
	}
	if err == nil {
		err = t.writeGen(sil)
	}
	if err == nil {
		t.done(sil) // before planNotifications: a silence ended here holds back nothing
	}
	if err != nil || len(events) == 0 {
		return events, changed, err
	}
	if err := t.insertEvents(events, now); err != nil {
		return nil, nil, err
	}
	if err := t.writeAlarms(changed, now); err != nil {
		return nil, nil, err
	}
	if err := t.planNotifications(events, now); err != nil {
		return nil, nil, err
	}
	_, err = t.tx.ExecContext(t.ctx, t.sql.setSeq, events[len(events)-1].Seq)
	return events, changed, err
}

// planNotifications writes the notifications the events make (routes matched in memory) to the
// outbox, in the commit's transaction: an event is stored with its notifications or not at all.
func (t storeTx) planNotifications(events []storedEvent, now int64) error {
	if t.store.notify == nil {
		return nil
	}
	evs := make([]notify.Event, 0, len(events))
	for _, e := range events {
		evs = append(evs, notify.Event{Kind: e.Event, Seq: e.Seq, Alarm: e.State, Prev: e.Prev})
	}
	p := t.store.notify.Plan(evs, time.UnixMilli(now))
	if p.Empty() {
		return nil
	}
	return notify.WritePlan(t.ctx, t.tx, t.store.dialect, p, now)
}

// done makes what the commit made of the silences the node's copy at once, before the commit's
// events are planned into notifications in the same transaction (a silence deleted in this commit
// holds back no unsilenced notification; a shelf its alarm's clear ended is gone); commitTx
// forgets the copy when the transaction does not commit.
func (t storeTx) done(sil *silenceTx) {
	if sil.changed {
		*t.silences = sil
		t.store.silences.Replace(sil.gen, sil.list)
	}
}

// storeTx is the store inside one commit's transaction: it runs the commit's statements.
type storeTx struct {
	ctx   context.Context
	tx    *sql.Tx
	store *store
	sql   *writeSQL
	// silences receives the commit's silences when it changed them (see done).
	silences **silenceTx
}

// loadAlarms reads the stored state, and the seq of its latest event, of every alarm ops name. It
// reads the seqs first: a state the cache holds for that seq is not read again.
func (t storeTx) loadAlarms(ops []*op) (map[model.AlarmKey]storedAlarm, error) {
	ids := make([]any, 0, len(ops))
	named := make(map[model.AlarmKey]bool, len(ops))
	seen := make(map[string]bool, len(ops))
	for _, o := range ops {
		named[o.key] = true
		if !seen[o.key.AlarmId] {
			seen[o.key.AlarmId] = true
			ids = append(ids, o.key.AlarmId)
		}
	}
	stored := make(map[model.AlarmKey]storedAlarm, len(ids))
	missed := map[string]bool{} // ids stored, but not with the state the cache has
	err := t.eachRow(t.sql.selectSeqs, ids, func(rows *sql.Rows) error {
		var (
			key model.AlarmKey
			seq int64
		)
		if err := rows.Scan(&key.AlarmId, &key.BusinessType, &key.BusinessId, &seq); err != nil {
			return err
		}
		if !named[key] {
			return nil // the same id under another business: another alarm
		}
		if state, ok := t.store.cache.get(key, seq); ok {
			stored[key] = storedAlarm{state: state, seq: seq}
		} else {
			missed[key.AlarmId] = true
		}
		return nil
	})
	if err != nil || len(missed) == 0 {
		return stored, err
	}
	ids = ids[:0]
	for id := range missed {
		ids = append(ids, id)
	}
	err = t.eachRow(t.sql.selectAlarms, ids, func(rows *sql.Rows) error {
		var (
			key   model.AlarmKey
			seq   int64
			state []byte
		)
		if err := rows.Scan(&key.AlarmId, &key.BusinessType, &key.BusinessId, &seq, &state); err != nil {
			return err
		}
		if _, cached := stored[key]; cached || !named[key] {
			return nil
		}
		a := new(model.Alarm)
		if err := json.Unmarshal(state, a); err != nil {
			return err
		}
		stored[key] = storedAlarm{state: a, seq: seq}
		return nil
	})
	return stored, err
}

// eachRow runs the select m for args, as many statements as it takes, and calls row for each row.
func (t storeTx) eachRow(m multiRow, args []any, row func(*sql.Rows) error) error {
	for len(args) > 0 {
		n := t.sql.rows(m, len(args))
		rows, err := t.tx.QueryContext(t.ctx, t.sql.build(m, n), args[:n]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := row(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// insertEvents stores the events, all created at now.
func (t storeTx) insertEvents(events []storedEvent, now int64) error {
	const cols = 6
	args := make([]any, 0, cols*t.sql.rows(t.sql.insertEvents, len(events)))
	for len(events) > 0 {
		n := t.sql.rows(t.sql.insertEvents, len(events))
		args = args[:0]
		for _, e := range events[:n] {
			args = append(args, e.Seq, e.Key.AlarmId, e.Key.BusinessType, e.Key.BusinessId, now, string(e.Message))
		}
		if _, err := t.tx.ExecContext(t.ctx, t.sql.build(t.sql.insertEvents, n), args...); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// writeAlarms stores the state of the changed alarms: inserted when new, updated when stored.
func (t storeTx) writeAlarms(changed []changedAlarm, now int64) error {
	if t.sql.upsert {
		return t.alarmRows(t.sql.upsertAlarms, changed, now)
	}
	var inserts, updates []changedAlarm
	for _, a := range changed {
		if a.isNew {
			inserts = append(inserts, a)
		} else {
			updates = append(updates, a)
		}
	}
	if err := t.alarmRows(t.sql.insertAlarms, inserts, now); err != nil {
		return err
	}
	return t.alarmRows(t.sql.updateAlarms, updates, now)
}

// alarmRows runs m (alarm_id, business_type, business_id, seq, status, changed_ms, state, level,
// last_ms, search_text, first_seq) for the alarms. A row inserted gets the alarm's seq as its
// first_seq: a seq is one event's, so no two rows get the same.
func (t storeTx) alarmRows(m multiRow, alarms []changedAlarm, now int64) error {
	args := make([]any, 0, alarmRowCols*t.sql.rows(m, len(alarms)))
	for len(alarms) > 0 {
		n := t.sql.rows(m, len(alarms))
		args = args[:0]
		for _, a := range alarms[:n] {
			args = append(args, a.key.AlarmId, a.key.BusinessType, a.key.BusinessId, a.seq, a.state.Status, now,
				string(a.encoded), a.state.Level, a.state.LastTime, searchText(a.state), a.seq)
		}
		if _, err := t.tx.ExecContext(t.ctx, t.sql.build(m, n), args...); err != nil {
			return err
		}
		alarms = alarms[n:]
	}
	return nil
}
