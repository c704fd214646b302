package alarm

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

const retention = 90 * 24 * time.Hour

// clock is a store's clock (Options.Now) that a test moves.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := new(clock)
	c.ms.Store(time.Now().UnixMilli())
	return c
}

func (c *clock) now() time.Time      { return time.UnixMilli(c.ms.Load()) }
func (c *clock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// quietBus is the single-node bus, heard by nobody.
func quietBus() bus.Bus {
	b := bus.NewMemory()
	b.Subscribe(func(bus.Event) {}, nil)
	return b
}

// openWith opens a store with opts (DB set by the caller), closed at the test's end.
func openWith(t *testing.T, opts Options) *Service {
	t.Helper()
	s, err := New(context.Background(), quietBus(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// purgeAll runs the batches of alarms, events and idempotency keys with cutoff to their end, and
// returns the rows each table lost.
func purgeAll(t *testing.T, s *Service, cutoff int64) map[string]int64 {
	t.Helper()
	keys := dao.PulseIdempotency
	out := map[string]int64{}
	for _, j := range []purgeJob{
		{table: dao.PulseAlarm.Table(), batch: s.store.purgeAlarms},
		{table: dao.PulseAlarmEvent.Table(), batch: s.store.purgeEvents},
		{table: keys.Table(), batch: s.store.deleteOlder(keys.Table(), keys.Columns().CreatedMs)},
	} {
		n, err := s.purgeTable(context.Background(), j, cutoff)
		if err != nil {
			t.Fatalf("purging %s: %v", j.table, err)
		}
		out[j.table] = n
	}
	return out
}

// count is the number of rows of table.
func count(t testing.TB, s *Service, table string) int {
	t.Helper()
	n, err := s.store.db.Model(table).Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// clearN clears a-from .. a-(from+n-1) as a source does, in one request.
func clearN(t *testing.T, s *Service, from, n int) {
	t.Helper()
	items := make([]model.AlarmBusinessData, n)
	for i := range items {
		items[i] = model.AlarmBusinessData{AlarmId: fmt.Sprintf("a-%d", from+i), BusinessId: "b", Action: model.ActionClear}
	}
	if _, err := s.Raise(context.Background(), items, ""); err != nil {
		t.Fatal(err)
	}
}

// TestPurgeHalfWay: a purge stopped after some batches has moved purged_seq to the last event it
// deleted: a resume from before it gets reset and the full state, one from it on gets every event
// after it, none missing; the next batch moves it further, and the last keeps the alarms' latest
// events.
func TestPurgeHalfWay(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		clk := newClock()
		s := openWith(t, Options{DB: node, Now: clk.now})
		ctx := context.Background()
		raiseN(t, s, 0, 30) // seq 1..30
		raiseN(t, s, 0, 30) // repeats, seq 31..60: the latest events
		clk.add(retention + time.Hour)
		cutoff := clk.now().Add(-retention).UnixMilli()

		if n, err := s.store.purgeEvents(ctx, cutoff, 10); err != nil || n != 10 {
			t.Fatalf("first batch: %d events, %v; want 10", n, err)
		}
		if _, purged, _ := s.store.position(ctx); purged != 10 {
			t.Fatalf("purged_seq %d after the first batch, want 10", purged)
		}
		objs, covered := replay(t, s, 5, true) // inside the purged range
		if covered != 60 || len(objs) != 32 || objs[0] != `{"type":"reset"}` || !strings.Contains(objs[1], `"seq":31`) {
			t.Fatalf("resume from 5, half-purged: %d objects, first %.60s", len(objs), objs[0])
		}
		objs, _ = replay(t, s, 10, true) // from the last purged seq: nothing missing
		if len(objs) != 51 || !strings.Contains(objs[0], `"seq":11`) || !strings.Contains(objs[49], `"seq":60`) {
			t.Fatalf("resume from 10: %d objects, first %.60s", len(objs), objs[0])
		}

		if n, err := s.store.purgeEvents(ctx, cutoff, 10); err != nil || n != 10 {
			t.Fatalf("second batch: %d events, %v; want 10", n, err)
		}
		if objs, _ = replay(t, s, 15, true); objs[0] != `{"type":"reset"}` {
			t.Fatalf("resume from 15 after the second batch: first %.60s, want reset", objs[0])
		}
		if objs, _ = replay(t, s, 20, true); len(objs) != 41 || !strings.Contains(objs[0], `"seq":21`) {
			t.Fatalf("resume from 20: %d objects, first %.60s", len(objs), objs[0])
		}

		if n := purgeAll(t, s, cutoff)[dao.PulseAlarmEvent.Table()]; n != 10 {
			t.Fatalf("the rest: %d events, want 10 (the latest of each alarm kept)", n)
		}
		if left := count(t, s, dao.PulseAlarmEvent.Table()); left != 30 {
			t.Fatalf("%d events left, want the 30 latest", left)
		}
		if objs, _ = replay(t, s, 0, false); len(objs) != 31 {
			t.Fatalf("the state after the purge: %d objects, want 30 alarms and synced", len(objs))
		}
	})
}

// TestRetentionLoop: the store's retention loop, on its clock, deletes the cleared alarms and the
// events older than the retention (in batches of 7), but the latest event of every alarm not
// cleared, and the idempotency keys older than their window; it reports the rows per table.
func TestRetentionLoop(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		clk := newClock()
		var mu sync.Mutex
		purged := map[string]int64{}
		s := openWith(t, Options{DB: node, Now: clk.now, Retention: retention, PurgeInterval: time.Second, PurgeBatch: 7,
			OnPurge: func(table string, rows int64, err error) {
				if err != nil {
					t.Errorf("purging %s: %v", table, err)
				}
				mu.Lock()
				defer mu.Unlock()
				purged[table] += rows
			}})
		ctx := context.Background()
		raiseN(t, s, 0, 20) // seq 1..20
		raiseN(t, s, 0, 20) // 21..40
		clearN(t, s, 0, 10) // 41..50: a-0..a-9 cleared
		key, err := idempotency.New("", "k-1", []byte("body"))
		if err != nil {
			t.Fatal(err)
		}
		item := model.AlarmBusinessData{AlarmId: "k-1", BusinessId: "b", Level: "info", Time: 1}
		if _, _, err := s.RaiseOnce(ctx, key, []model.AlarmBusinessData{item}, ""); err != nil { // 51
			t.Fatal(err)
		}
		clk.add(retention + time.Hour)
		raiseN(t, s, 20, 1) // 52, young

		// Gone: events 1..30 (superseded), 41..50 and a-0..a-9 (cleared), the key. Kept: 31..40
		// (a-10..a-19), 51 (k-1), 52 (a-20) and their alarms.
		want := map[string]int64{dao.PulseAlarm.Table(): 10, dao.PulseAlarmEvent.Table(): 40, dao.PulseIdempotency.Table(): 1}
		if !poll.Until(func() bool {
			mu.Lock()
			defer mu.Unlock()
			return fmt.Sprint(purged) == fmt.Sprint(want)
		}) {
			mu.Lock()
			t.Fatalf("purged %v, want %v", purged, want)
		}
		if a, e, k := count(t, s, dao.PulseAlarm.Table()), count(t, s, dao.PulseAlarmEvent.Table()), count(t, s, dao.PulseIdempotency.Table()); a != 12 || e != 12 || k != 0 {
			t.Fatalf("left %d alarms, %d events, %d keys; want 12, 12, 0", a, e, k)
		}
		if _, err := s.Ack(ctx, bKey("a-5"), Change{User: "x"}, model.Scope{}); err == nil {
			t.Fatal("a purged alarm can still be acknowledged")
		}
		if objs, _ := replay(t, s, 45, true); objs[0] != `{"type":"reset"}` {
			t.Fatalf("resume from 45: first %.60s, want reset", objs[0])
		}
		if objs, covered := replay(t, s, 50, true); covered != 52 || len(objs) != 3 {
			t.Fatalf("resume from 50: %v", objs)
		}
	})
}
