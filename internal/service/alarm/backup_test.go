package alarm

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// TestBackupVacuumIntoLive: `VACUUM INTO` copies a SQLite store while alarms keep being written
// to it (docs/OPERATIONS.md's backup): the copy passes SQLite's integrity check, and a store opened
// on it holds a consistent point of the live one: its last seq is its latest event, and every
// alarm's state is there.
func TestBackupVacuumIntoLive(t *testing.T) {
	dir := t.TempDir()
	link := func(name string) gdb.ConfigNode {
		return gdb.ConfigNode{Link: "sqlite::@file(" + filepath.Join(dir, name) + ")?busy_timeout=5000&journal_mode=WAL"}
	}
	live := openWith(t, Options{DB: link("pulse.db")})
	ctx := context.Background()
	var (
		raised atomic.Int64
		stop   = make(chan struct{})
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() { // a source raising 50 alarms, again and again
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			items := make([]model.AlarmBusinessData, 10)
			for j := range items {
				items[j] = model.AlarmBusinessData{AlarmId: fmt.Sprintf("a-%d", (i*10+j)%50), BusinessId: "b", Level: "major", Time: 1}
			}
			if _, err := live.Raise(ctx, items, ""); err != nil {
				t.Error(err)
				return
			}
			raised.Add(int64(len(items)))
		}
	}()
	if !poll.Until(func() bool { return raised.Load() >= 200 }) {
		t.Fatal("the source did not get going")
	}
	backup := filepath.Join(dir, "backup.db")
	_, err := live.store.db.Exec(ctx, "VACUUM INTO '"+backup+"'")
	during := raised.Load()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("VACUUM INTO on a live store: %v", err)
	}

	copied := openWith(t, Options{DB: link("backup.db")})
	if v, err := copied.store.db.GetValue(ctx, "PRAGMA integrity_check"); err != nil || v.String() != "ok" {
		t.Fatalf("integrity_check of the copy: %v, %v", v, err)
	}
	last, _, err := copied.store.position(ctx)
	if err != nil {
		t.Fatal(err)
	}
	top, err := copied.store.db.Model(dao.PulseAlarmEvent.Table()).Max(dao.PulseAlarmEvent.Columns().Seq)
	if err != nil || int64(top) != last || last < 200 {
		t.Fatalf("the copy's last seq %d, its latest event %v (%v); want equal, at least 200", last, top, err)
	}
	if n := count(t, copied, dao.PulseAlarm.Table()); n != 50 {
		t.Fatalf("the copy holds %d alarms, want 50", n)
	}
	if objs, covered := replay(t, copied, 0, false); len(objs) != 51 || covered != last {
		t.Fatalf("the copy's state: %d objects covering %d, want 50 alarms and synced at %d", len(objs), covered, last)
	}
	t.Logf("copied at seq %d while %d alarms had been raised (%d by the end)", last, during, raised.Load())
}
