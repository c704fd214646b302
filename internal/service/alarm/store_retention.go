package alarm

import (
	"context"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/dao"
)

// Retention's batches (see purgeJob). Each is one transaction that starts by taking the seq row's
// lock, as a commit does: commits (of this node and of others) wait for a batch, never for a whole
// purge, and a batch sees no commit half-done.

// purgeAlarms deletes cleared alarms whose latest event is older than cutoff. Their events are
// purgeEvents' (an alarm's latest event is kept while the alarm is).
func (s *store) purgeAlarms(ctx context.Context, cutoff int64, limit int) (n int64, err error) {
	t, c := dao.PulseAlarm.Table(), dao.PulseAlarm.Columns()
	err = s.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		if _, err := tx.Exec(lockSeq); err != nil {
			return err
		}
		old := func() *gdb.Model {
			return tx.Model(t).Where(c.Status, statusCleared).WhereLT(c.ChangedMs, cutoff)
		}
		found, err := old().Fields(c.AlarmId).Limit(limit).Array()
		if err != nil || len(found) == 0 {
			return err
		}
		ids := make([]string, len(found))
		for i, v := range found {
			ids[i] = v.String()
		}
		// By id, the key's first column: a cleared old alarm of the same id in another business
		// goes too, as it should. SQLite, without statistics, would rather walk every cleared
		// alarm by the status index for each batch: "+status" is not indexable.
		status := c.Status
		if s.dialect == "sqlite" {
			status = "+" + status
		}
		r, err := tx.Model(t).WhereIn(c.AlarmId, ids).Where(status+" = ?", statusCleared).WhereLT(c.ChangedMs, cutoff).Delete()
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n, err
}

// purgeEvents deletes the oldest limit events (by seq) older than cutoff, except the latest
// event of every stored alarm (its current state, which a console without since is sent), and
// moves purged_seq up to the last seq it deleted in the same transaction: whatever batch a purge
// is at, every deleted event is at or below purged_seq, so a resume from before it is answered
// with reset and the full state (see Replay) and a resume from it on misses nothing.
func (s *store) purgeEvents(ctx context.Context, cutoff int64, limit int) (n int64, err error) {
	ac, ec, sc := dao.PulseAlarm.Columns(), dao.PulseAlarmEvent.Columns(), dao.PulseAlarmSeq.Columns()
	err = s.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		if _, err := tx.Exec(lockSeq); err != nil {
			return err
		}
		stale := func() *gdb.Model {
			return tx.Model(dao.PulseAlarmEvent.Table()).WhereLT(ec.CreatedMs, cutoff).
				Where(ec.Seq+" NOT IN ?", tx.Model(dao.PulseAlarm.Table()).Fields(ac.Seq))
		}
		// The batch is the stale events from the first to the limit-th by seq: it is deleted by
		// that range of the primary key. (By their conditions alone SQLite would walk every old
		// event by the created_ms index for each batch; by a list of 1,000 seqs, binding and
		// formatting the list cost more than the delete.)
		first, err := stale().Fields(ec.Seq).OrderAsc(ec.Seq).Limit(1).Value()
		if err != nil || first.IsNil() {
			return err
		}
		last, err := stale().Fields(ec.Seq).OrderAsc(ec.Seq).Limit(limit-1, 1).Value()
		if err == nil && last.IsNil() {
			last, err = stale().FieldMax(ec.Seq).Value()
		}
		if err != nil {
			return err
		}
		top := last.Int64()
		r, err := stale().WhereGTE(ec.Seq, first.Int64()).WhereLTE(ec.Seq, top).Delete()
		if err != nil {
			return err
		}
		if n, err = r.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.Model(dao.PulseAlarmSeq.Table()).Data(sc.PurgedSeq, top).
			Where(sc.Id, 1).WhereLT(sc.PurgedSeq, top).Update()
		return err
	})
	return n, err
}

// deleteOlder is the batch of a table whose rows hold their time in column (server unix ms) and
// go when it is past, with nothing else to keep in step: the idempotency keys (and the tables to
// come, each one line in purgeJobs).
func (s *store) deleteOlder(table, column string) purgeBatch {
	return func(ctx context.Context, cutoff int64, limit int) (n int64, err error) {
		err = s.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
			if _, err := tx.Exec(lockSeq); err != nil {
				return err
			}
			// The time of the batch's last row bounds the batch (no LIMIT on DELETE in PostgreSQL,
			// nor in SQLite as built); rows of the same time beyond it go too.
			upTo, err := tx.Model(table).Fields(column).WhereLT(column, cutoff).
				OrderAsc(column).Limit(limit-1, 1).Value()
			if err != nil {
				return err
			}
			m := tx.Model(table).WhereLT(column, cutoff)
			if !upTo.IsNil() {
				m = m.WhereLTE(column, upTo.Int64())
			}
			r, err := m.Delete()
			if err != nil {
				return err
			}
			n, err = r.RowsAffected()
			return err
		})
		return n, err
	}
}
