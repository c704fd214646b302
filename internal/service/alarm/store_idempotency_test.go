package alarm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// keyed is a raise of id under key, as RaiseOnce submits it.
func keyed(t *testing.T, scope, name, body, id string) *claim {
	t.Helper()
	k, err := idempotency.New(scope, name, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	c := &claim{key: k}
	item := model.AlarmBusinessData{AlarmId: id, BusinessId: "m", Level: "info"}
	c.ops = []*op{{kind: opRaise, key: item.Key(), claim: c, raise: item}}
	return c
}

// commitClaims commits the claims' ops in one group at now and returns how many events it made.
func commitClaims(t *testing.T, s *Service, now int64, claims ...*claim) int {
	t.Helper()
	var ops []*op
	for _, c := range claims {
		ops = append(ops, c.ops...)
	}
	events, err := s.store.commit(context.Background(), ops, now)
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

// TestKeysInOneGroup: two requests with one key in the same group commit: the second is a replay
// of the first (its answer, nothing applied); with another body it is refused 1422; the same key
// under another credential is another request.
func TestKeysInOneGroup(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		s := open(t, node, bus.NewMemory())
		now := time.Now().UnixMilli() // the purge running beside keeps what is this recent
		first := keyed(t, "", "k", "body", "a-1")
		again := keyed(t, "", "k", "body", "a-2") // a server-chosen id would differ: the answer is the first's
		other := keyed(t, "", "k", "another body", "a-3")
		scoped := keyed(t, "key-b", "k", "body", "a-4")
		if n := commitClaims(t, s, now, first, again, other, scoped); n != 2 {
			t.Fatalf("%d events; want 2 (the first and the other credential's)", n)
		}
		if !first.fresh || first.replayed || string(first.answer) != `[{"alarmId":"a-1","seq":1}]` {
			t.Fatalf("first: fresh %v replayed %v answer %s", first.fresh, first.replayed, first.answer)
		}
		if !again.replayed || string(again.answer) != string(first.answer) {
			t.Fatalf("the repeat in the group: replayed %v answer %s; want the first's", again.replayed, again.answer)
		}
		if gerror.Code(other.err) != consts.CodeKeyReused {
			t.Fatalf("another body in the group: %v; want code 1422", other.err)
		}
		if !scoped.fresh || string(scoped.answer) != `[{"alarmId":"a-4","seq":2}]` {
			t.Fatalf("another credential: fresh %v answer %s", scoped.fresh, scoped.answer)
		}
		// A later group finds the stored key.
		later := keyed(t, "", "k", "body", "a-5")
		if n := commitClaims(t, s, now+1000, later); n != 0 || !later.replayed || string(later.answer) != string(first.answer) {
			t.Fatalf("a later group: %d events, replayed %v, answer %s", n, later.replayed, later.answer)
		}
	})
}

// TestKeyWindow: a key older than the window is no longer replayed (the request is applied and
// its key stored anew), and the purge deletes the keys older than the window, in batches.
func TestKeyWindow(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		s := open(t, node, bus.NewMemory())
		window, now := s.store.keyWindow.Milliseconds(), time.Now().UnixMilli()
		first := keyed(t, "", "k", "body", "a-1")
		commitClaims(t, s, now, first)
		inside := keyed(t, "", "k", "body", "a-1")
		if commitClaims(t, s, now+window, inside); !inside.replayed {
			t.Fatal("a retry at the window's end was not replayed")
		}
		after := keyed(t, "", "k", "body", "a-1")
		if n := commitClaims(t, s, now+window+1, after); n != 1 || !after.fresh || string(after.answer) != `[{"alarmId":"a-1","seq":2}]` {
			t.Fatalf("after the window: %d events, fresh %v, answer %s; want applied again (seq 2)", n, after.fresh, after.answer)
		}

		const many = DefaultPurgeBatch + 5
		var claims []*claim
		for i := range many {
			claims = append(claims, keyed(t, "", fmt.Sprintf("old-%d", i), "body", "b"))
		}
		commitClaims(t, s, now+2*window, claims...)
		commitClaims(t, s, now+3*window, keyed(t, "", "young", "body", "c"))
		if n := purgeAll(t, s, now+2*window+1)[dao.PulseIdempotency.Table()]; n != many+1 {
			t.Fatalf("purge: %d keys; want %d (k and the old ones)", n, many+1)
		}
		left, err := s.store.db.Model(dao.PulseIdempotency.Table()).Count()
		if err != nil || left != 1 {
			t.Fatalf("%d keys left, %v; want 1 (the young one)", left, err)
		}
	})
}
