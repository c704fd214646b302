package alarm

import (
	"context"
	"encoding/json"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"

	"pulse/internal/model"
)

// commit applies ops in order in one transaction and returns the events they made, in seq order.
// Each op gets its result (or its own error: an unknown alarm fails that op only). If the
// transaction fails, nothing is stored and the error is returned.
//
// The transaction starts by updating the pulse_alarm_seq row: that takes its lock (a row lock in
// MySQL and PostgreSQL, the write lock in SQLite), so commits are serialised, also between nodes,
// and seq order is commit order. A reader that sees seq S committed sees every event up to S.
func (s *store) commit(ctx context.Context, ops []*op, now int64) ([]storedEvent, error) {
	var events []storedEvent
	err := s.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		events = events[:0]
		if _, err := tx.Exec("UPDATE pulse_alarm_seq SET seq = seq WHERE id = 1"); err != nil {
			return err
		}
		v, err := tx.GetValue("SELECT seq FROM pulse_alarm_seq WHERE id = 1")
		if err != nil {
			return err
		}
		seq := v.Int64()
		cur, seqOf, err := loadStates(tx, ops)
		if err != nil {
			return err
		}
		existed := make(map[string]bool, len(cur))
		for id := range cur {
			existed[id] = true
		}
		var changed []string // ids in order of their first change
		dirty := map[string]bool{}
		for _, o := range ops {
			next, event, err := apply(cur[o.id], o, now)
			if err != nil {
				o.err = err
				continue
			}
			if event == "" {
				o.state, o.seq = next, seqOf[o.id]
				continue
			}
			seq++
			frame, err := model.Encode(model.AlarmFrame{Type: model.FrameAlarm, Seq: seq, Ts: now, Event: event, Data: next})
			if err != nil {
				return err
			}
			if !dirty[o.id] {
				dirty[o.id] = true
				changed = append(changed, o.id)
			}
			cur[o.id], seqOf[o.id] = next, seq
			o.state, o.seq = next, seq
			events = append(events, storedEvent{Seq: seq, AlarmId: o.id, Frame: frame})
		}
		if len(events) == 0 {
			return nil
		}
		var inserts g.List
		for _, id := range changed {
			a := cur[id]
			state, err := model.Encode(a)
			if err != nil {
				return err
			}
			row := g.Map{"seq": seqOf[id], "status": a.Status, "changed_ms": now, "state": string(state)}
			if existed[id] {
				if _, err := tx.Model("pulse_alarm").Data(row).Where("alarm_id", id).Update(); err != nil {
					return err
				}
				continue
			}
			row["alarm_id"] = id
			inserts = append(inserts, row)
		}
		if len(inserts) > 0 {
			if _, err := tx.Model("pulse_alarm").Data(inserts).Batch(len(inserts)).Insert(); err != nil {
				return err
			}
		}
		rows := make(g.List, len(events))
		for i, e := range events {
			rows[i] = g.Map{"seq": e.Seq, "alarm_id": e.AlarmId, "created_ms": now, "frame": string(e.Frame)}
		}
		if _, err := tx.Model("pulse_alarm_event").Data(rows).Batch(len(rows)).Insert(); err != nil {
			return err
		}
		_, err = tx.Exec("UPDATE pulse_alarm_seq SET seq = ? WHERE id = 1", seq)
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

// loadStates reads the current state, and the seq of its latest event, of every alarm ops name.
func loadStates(tx gdb.TX, ops []*op) (map[string]*model.Alarm, map[string]int64, error) {
	ids := make([]string, 0, len(ops))
	seen := map[string]bool{}
	for _, o := range ops {
		if !seen[o.id] {
			seen[o.id] = true
			ids = append(ids, o.id)
		}
	}
	rows, err := tx.Model("pulse_alarm").Fields("alarm_id", "seq", "state").WhereIn("alarm_id", ids).All()
	if err != nil {
		return nil, nil, err
	}
	cur := make(map[string]*model.Alarm, len(rows))
	seqs := make(map[string]int64, len(rows))
	for _, r := range rows {
		a := new(model.Alarm)
		if err := json.Unmarshal(r["state"].Bytes(), a); err != nil {
			return nil, nil, err
		}
		id := r["alarm_id"].String()
		cur[id], seqs[id] = a, r["seq"].Int64()
	}
	return cur, seqs, nil
}
