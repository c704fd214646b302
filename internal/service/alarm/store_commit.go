package alarm

import (
	"context"
	"encoding/json"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"

	"pulse/internal/dao"
	"pulse/internal/model"
	"pulse/internal/model/entity"
)

// commit applies ops in order in one transaction and returns the events they made, in seq order.
// Each op gets its result (or its own error: an unknown alarm fails that op only). If the
// transaction fails, nothing is stored and the error is returned. What the ops do is transition's
// to say; commit reads and writes.
//
// The transaction starts by updating the pulse_alarm_seq row: that takes its lock (a row lock in
// MySQL and PostgreSQL, the write lock in SQLite), so commits are serialised, also between nodes,
// and seq order is commit order. A reader that sees seq S committed sees every event up to S.
func (s *store) commit(ctx context.Context, ops []*op, now int64) ([]storedEvent, error) {
	var events []storedEvent
	err := s.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		if _, err := tx.Exec(lockSeq); err != nil {
			return err
		}
		sc := dao.PulseAlarmSeq.Columns()
		last, err := tx.Model(dao.PulseAlarmSeq.Table()).Fields(sc.Seq).Where(sc.Id, 1).Value()
		if err != nil {
			return err
		}
		stored, err := loadAlarms(tx, ops)
		if err != nil {
			return err
		}
		var changed []changedAlarm
		if events, changed, err = transition(stored, ops, last.Int64(), now); err != nil || len(events) == 0 {
			return err
		}
		if err := writeAlarms(tx, changed, now); err != nil {
			return err
		}
		rows := make([]entity.PulseAlarmEvent, len(events))
		for i, e := range events {
			rows[i] = entity.PulseAlarmEvent{Seq: e.Seq, AlarmId: e.AlarmId, CreatedMs: now, Frame: string(e.Message)}
		}
		if _, err := tx.Model(dao.PulseAlarmEvent.Table()).Data(rows).Batch(len(rows)).Insert(); err != nil {
			return err
		}
		_, err = tx.Model(dao.PulseAlarmSeq.Table()).Data(sc.Seq, events[len(events)-1].Seq).Where(sc.Id, 1).Update()
		return err
	})
	if err != nil {
		for _, o := range ops {
			o.state, o.seq, o.err = nil, 0, nil
		}
		return nil, err
	}
	return events, nil
}

// loadAlarms reads the stored state, and the seq of its latest event, of every alarm ops name.
func loadAlarms(tx gdb.TX, ops []*op) (map[string]storedAlarm, error) {
	ids := make([]string, 0, len(ops))
	seen := map[string]bool{}
	for _, o := range ops {
		if !seen[o.id] {
			seen[o.id] = true
			ids = append(ids, o.id)
		}
	}
	c := dao.PulseAlarm.Columns()
	var rows []entity.PulseAlarm
	err := tx.Model(dao.PulseAlarm.Table()).Fields(c.AlarmId, c.Seq, c.State).WhereIn(c.AlarmId, ids).Scan(&rows)
	if err != nil {
		return nil, err
	}
	stored := make(map[string]storedAlarm, len(rows))
	for _, r := range rows {
		a := new(model.Alarm)
		if err := json.Unmarshal([]byte(r.State), a); err != nil {
			return nil, err
		}
		stored[r.AlarmId] = storedAlarm{state: a, seq: r.Seq}
	}
	return stored, nil
}

// writeAlarms stores the state of the changed alarms: one batch insert for the new ones, an update
// each for the others.
func writeAlarms(tx gdb.TX, changed []changedAlarm, now int64) error {
	c := dao.PulseAlarm.Columns()
	var inserts []entity.PulseAlarm
	for _, a := range changed {
		state, err := model.Encode(a.state)
		if err != nil {
			return err
		}
		if a.isNew {
			inserts = append(inserts, entity.PulseAlarm{AlarmId: a.id, Seq: a.seq, Status: a.state.Status, ChangedMs: now, State: string(state)})
			continue
		}
		row := g.Map{c.Seq: a.seq, c.Status: a.state.Status, c.ChangedMs: now, c.State: string(state)}
		if _, err := tx.Model(dao.PulseAlarm.Table()).Data(row).Where(c.AlarmId, a.id).Update(); err != nil {
			return err
		}
	}
	if len(inserts) == 0 {
		return nil
	}
	_, err := tx.Model(dao.PulseAlarm.Table()).Data(inserts).Batch(len(inserts)).Insert()
	return err
}
