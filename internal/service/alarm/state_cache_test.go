package alarm

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// TestStatesChangedElsewhereAreRead: two stores on one database, as two nodes of a cluster, raise,
// acknowledge and clear the same alarm in turns; each change builds on the one before, whichever
// store made it, although each store remembers the states it wrote itself. An alarm purged by
// retention and raised again starts afresh.
func TestStatesChangedElsewhereAreRead(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		a, b := open(t, node, newRecorder()), open(t, node, newRecorder())
		ctx := context.Background()
		x := model.AlarmKey{BusinessId: "m", AlarmId: "x"}
		raise := func(s *Service) model.Alarm {
			t.Helper()
			if _, err := s.Raise(ctx, []model.AlarmBusinessData{{AlarmId: "x", BusinessId: "m", Level: "major", Time: 1}}, ""); err != nil {
				t.Fatal(err)
			}
			list, _, err := s.List(ctx, ListQuery{Limit: 10}, model.Scope{})
			if err != nil || len(list) != 1 {
				t.Fatalf("list: %v %+v", err, list)
			}
			return list[0]
		}
		if got := raise(a); got.Count != 1 || got.Status != model.StatusActive {
			t.Fatalf("first raise, on a: %+v", got)
		}
		if got := raise(b); got.Count != 2 {
			t.Fatalf("second raise, on b: count %d, want 2", got.Count)
		}
		if got := raise(a); got.Count != 3 { // a's own last state said 1
			t.Fatalf("third raise, on a again: count %d, want 3", got.Count)
		}
		if _, err := b.Ack(ctx, x, Change{User: "ann"}, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		if got := raise(a); got.Count != 4 || got.Status != model.StatusAcked || got.AckedBy != "ann" {
			t.Fatalf("raise on a after b acknowledged it: %+v, want count 4, acked by ann", got)
		}
		if _, err := a.Clear(ctx, x, Change{}, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		purgeAll(t, b, time.Now().Add(time.Hour).UnixMilli())
		if got := raise(a); got.Count != 1 || got.Status != model.StatusActive || got.AckedBy != "" {
			t.Fatalf("raise on a after b purged it: %+v, want a new alarm", got)
		}
	})
}

// TestStateCacheForgetsBeyondItsSize: past its size the cache forgets other states to keep the
// ones put last, and holds no more than its size; what it holds is what was put last for each
// alarm. A group larger than the cache keeps what fits.
func TestStateCacheForgetsBeyondItsSize(t *testing.T) {
	c := newStateCache(1000)
	k := func(id string) model.AlarmKey { return model.AlarmKey{AlarmId: id} }
	state := make([]byte, 90)
	for i := range 100 {
		id := k(string(rune('a'+i%26)) + string(rune('a'+i/26)))
		c.put([]changedAlarm{{key: id, storedAlarm: storedAlarm{state: &model.Alarm{Count: int64(i)}, seq: int64(i)}, encoded: state}})
		if c.bytes > 1000 {
			t.Fatalf("after %d states: %d bytes held, more than 1000", i+1, c.bytes)
		}
		if _, ok := c.get(id, int64(i)); !ok {
			t.Fatalf("the state just put, %s, is not held", id)
		}
	}
	if n := len(c.entries); n == 0 || n > 1000/92 {
		t.Fatalf("%d states held", n)
	}
	for id, e := range c.entries {
		if got, ok := c.get(id, e.seq); !ok || got.Count != e.seq {
			t.Fatalf("%s: %+v", id, got)
		}
		if _, ok := c.get(id, e.seq+1); ok {
			t.Fatalf("%s: found for a seq it was not put with", id)
		}
	}
	c.put([]changedAlarm{{key: k("aa"), storedAlarm: storedAlarm{state: &model.Alarm{Count: 7}, seq: 500}, encoded: state}})
	if got, ok := c.get(k("aa"), 500); !ok || got.Count != 7 {
		t.Fatalf("the last put of aa: %+v %v", got, ok)
	}
	big := make([]changedAlarm, 20)
	for i := range big {
		big[i] = changedAlarm{key: k(fmt.Sprint("big-", i)), storedAlarm: storedAlarm{state: &model.Alarm{}, seq: int64(1000 + i)}, encoded: state}
	}
	c.put(big)
	if n := len(c.entries); c.bytes > 1000 || n == 0 || n > 1000/92 {
		t.Fatalf("after a group of 20 states: %d held, %d bytes", n, c.bytes)
	}
	for id := range c.entries {
		if !strings.HasPrefix(id.AlarmId, "big-") {
			t.Fatalf("%s held after a group larger than the cache", id)
		}
	}
}
