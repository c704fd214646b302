package alarm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
)

// eachDatabase runs test against a fresh, empty store in every database: SQLite in a temporary
// folder, and the MySQL (MariaDB) and PostgreSQL services of the machine in a database of this
// test process's own. A server that is not reachable is skipped with a message, except under CI,
// where it fails the test.
func eachDatabase(t *testing.T, test func(t *testing.T, node gdb.ConfigNode)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, gdb.ConfigNode{Link: "sqlite::@file(" + t.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"})
	})
	testsvc.EachDatabase(t, "pulse_alarm_test", func(t *testing.T, link string) {
		test(t, gdb.ConfigNode{Link: link})
	})
}

// recorder is the real single-node bus, subscribed by something that keeps what was rung.
type recorder struct {
	*bus.Memory
	mu     sync.Mutex
	events []bus.Event
}

func newRecorder() *recorder {
	r := &recorder{Memory: bus.NewMemory()}
	r.Subscribe(func(e bus.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, e)
	}, nil)
	return r
}

func (r *recorder) seqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, len(r.events))
	for i, e := range r.events {
		out[i] = e.Seq
	}
	return out
}

func open(t *testing.T, node gdb.ConfigNode, b bus.Bus) *Service {
	t.Helper()
	s, err := New(context.Background(), b, Options{DB: node})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// replay runs a Replay and returns its frames split into objects, and what it covered.
func replay(t *testing.T, s *Service, since int64, resume bool) ([]string, int64) {
	t.Helper()
	var objs []string
	covered, err := s.Replay(since, resume, model.Scope{})(func(frame []byte) error {
		objs = append(objs, strings.Split(string(frame), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs, covered
}

// bKey is the key of the alarm id of the business raiseN raises in.
func bKey(id string) model.AlarmKey { return model.AlarmKey{BusinessId: "b", AlarmId: id} }

func raiseN(t *testing.T, s *Service, from, n int) []model.AlarmReceipt {
	t.Helper()
	items := make([]model.AlarmBusinessData, n)
	for i := range items {
		items[i] = model.AlarmBusinessData{AlarmId: fmt.Sprintf("a-%d", from+i), BusinessId: "b", Level: "warning", Time: 1}
	}
	r, err := s.Raise(context.Background(), items, "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStoreCommitsAndReplays: concurrent raises are committed with consecutive seqs and rung in
// seq order; seq continues after a reopen; a replay pages through everything in order.
func TestStoreCommitsAndReplays(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		t.Parallel() // each database on its own server: they commit side by side
		rec := newRecorder()
		s := open(t, node, rec)
		// 8 concurrent raisers are what group commits and orders; more rounds add only time.
		const raisers, rounds = 8, 5
		var wg sync.WaitGroup
		for p := range raisers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					raiseN(t, s, p*1000+i*10, 10)
				}
			}()
		}
		wg.Wait()
		const total = raisers * rounds * 10
		for i, seq := range rec.seqs() {
			if seq != int64(i+1) {
				t.Fatalf("event %d rung with seq %d: want consecutive seqs in order", i, seq)
			}
		}
		if len(rec.seqs()) != total {
			t.Fatalf("%d events rung, want %d", len(rec.seqs()), total)
		}
		_ = s.Close(context.Background())

		s = open(t, node, rec)
		if r := raiseN(t, s, 0, 1); r[0].Seq != total+1 {
			t.Fatalf("after reopen: seq %d, want %d (a repeat of a-0)", r[0].Seq, total+1)
		}
		objs, covered := replay(t, s, 3, true)
		if covered != total+1 || len(objs) != total-3+1+1 {
			t.Fatalf("replay since 3: %d objects, covered %d", len(objs), covered)
		}
		for i, o := range objs[:len(objs)-1] {
			var f model.AlarmMessage
			if err := json.Unmarshal([]byte(o), &f); err != nil || f.Seq != int64(i+4) {
				t.Fatalf("replay object %d: %s", i, o)
			}
		}
		if last := objs[len(objs)-1]; last != fmt.Sprintf(`{"type":"synced","seq":%d}`, total+1) {
			t.Fatalf("replay ended with %s", last)
		}
	})
}

// TestStoreRetention: purged cleared alarms and events are gone; the latest event of an alarm that
// is not cleared stays; a resume from before the purge gets reset and the full state.
func TestStoreRetention(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		s := open(t, node, newRecorder())
		ctx := context.Background()
		raiseN(t, s, 0, 3)                                                            // a-0, a-1, a-2: seq 1..3
		raiseN(t, s, 0, 1)                                                            // a-0 repeated: seq 4
		if _, err := s.Clear(ctx, bKey("a-1"), Change{}, model.Scope{}); err != nil { // seq 5
			t.Fatal(err)
		}
		purged := purgeAll(t, s, time.Now().Add(time.Hour).UnixMilli())
		alarms, events := purged[dao.PulseAlarm.Table()], purged[dao.PulseAlarmEvent.Table()]
		// Kept: a-0's latest event (4) and a-2's (3). Purged: 1, 2, 5 and the cleared a-1.
		if alarms != 1 || events != 3 {
			t.Fatalf("purged %d alarms and %d events, want 1 and 3", alarms, events)
		}
		if _, err := s.Ack(ctx, bKey("a-1"), Change{User: "x"}, model.Scope{}); err == nil {
			t.Fatal("a purged alarm can still be acknowledged")
		}
		objs, covered := replay(t, s, 0, true)
		if covered != 5 || len(objs) != 4 || objs[0] != `{"type":"reset"}` ||
			!strings.Contains(objs[1], `"seq":3`) || !strings.Contains(objs[2], `"seq":4`) {
			t.Fatalf("resume from before the purge: %v", objs)
		}
		if objs, _ = replay(t, s, 5, true); len(objs) != 1 {
			t.Fatalf("resume after the purge: %v", objs)
		}
	})
}
