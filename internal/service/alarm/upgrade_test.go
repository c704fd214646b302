package alarm

import (
	"context"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// TestOldNodeAfterColumnsAdded: a node keeps working, without a restart, after a newer release
// added nullable and defaulted columns to every table of the store (what a rolling upgrade's new
// node does before the old ones stop): the write path names its columns, and no read depends on
// a table's width. It raises, repeats, acknowledges, clears, keeps a key, replays and
// purges.
func TestOldNodeAfterColumnsAdded(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		clk := newClock()
		s := openWith(t, Options{DB: node, Now: clk.now})
		ctx := context.Background()
		raiseN(t, s, 0, 3) // the old node has written before the upgrade: its statements are prepared
		for _, table := range []string{dao.PulseAlarm.Table(), dao.PulseAlarmEvent.Table(), dao.PulseAlarmSeq.Table(),
			dao.PulseIdempotency.Table(), dao.PulseSchema.Table()} {
			for _, col := range []string{"added_note VARCHAR(64) NULL", "added_count INTEGER NOT NULL DEFAULT 0"} {
				if _, err := s.store.db.Exec(ctx, "ALTER TABLE "+table+" ADD COLUMN "+col); err != nil {
					t.Fatalf("%s: %v", table, err)
				}
			}
		}
		raiseN(t, s, 0, 4) // repeats a-0..a-2, raises a-3
		key, err := idempotency.New("", "k-1", []byte("body"))
		if err != nil {
			t.Fatal(err)
		}
		item := model.AlarmBusinessData{AlarmId: "k-1", BusinessId: "b", Level: "info", Time: 1}
		for range 2 {
			if _, _, err := s.RaiseOnce(ctx, key, []model.AlarmBusinessData{item}, ""); err != nil {
				t.Fatal(err)
			}
		}
		if a, err := s.Ack(ctx, bKey("a-0"), Change{User: "ann"}, model.Scope{}); err != nil || a.Status != model.StatusAcked {
			t.Fatalf("ack: %+v, %v", a, err)
		}
		if a, err := s.Clear(ctx, bKey("a-1"), Change{User: "ann"}, model.Scope{}); err != nil || a.Status != model.StatusCleared {
			t.Fatalf("clear: %+v, %v", a, err)
		}
		// 3 raises, 4 raises, the key's raise, the ack and the clear.
		if seqs := seqsOf(t, s, 0, true, model.Scope{}); len(seqs) != 10 || seqs[9] != 10 {
			t.Fatalf("resume from 0: seqs %v, want 1..10", seqs)
		}
		if objs, _ := replay(t, s, 0, false); len(objs) != 5 { // a-0, a-2, a-3, k-1, synced
			t.Fatalf("state: %v", objs)
		}
		clk.add(time.Hour)
		if n := purgeAll(t, s, clk.now().UnixMilli()); n[dao.PulseAlarm.Table()] != 1 || n[dao.PulseIdempotency.Table()] != 1 {
			t.Fatalf("purge after the columns were added: %v", n)
		}
	})
}
