package idempotency

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

func mustKey(t *testing.T, scope, name, body string) Key {
	t.Helper()
	k, err := New(scope, name, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCheck(t *testing.T) {
	for _, ok := range []string{"a", "~", " ", strings.Repeat("x", MaxKey), "550e8400-e29b-41d4-a716-446655440000"} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", MaxKey+1), "tab\t", "del\x7f", "é", "nul\x00"} {
		err := Check(bad)
		if gerror.Code(err) != consts.CodeInvalidInput || !strings.HasPrefix(err.Error(), Header+": ") {
			t.Errorf("Check(%q): %v; want a 400 naming %s", bad, err, Header)
		}
	}
}

func TestLongScopeIsHashed(t *testing.T) {
	long := strings.Repeat("n", maxScope+1)
	a, b := mustKey(t, long, "k", ""), mustKey(t, long+"x", "k", "")
	if len(a.Scope) > maxScope || a.Scope == b.Scope || mustKey(t, long, "k", "").Scope != a.Scope {
		t.Fatalf("scopes %q and %q: want short, distinct and stable", a.Scope, b.Scope)
	}
}

func TestInFlight(t *testing.T) {
	f := NewInFlight()
	k := mustKey(t, "", "k", "body")
	end, err := f.Begin(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Begin(k); gerror.Code(err) != consts.CodeInFlight {
		t.Fatalf("repeat in flight: %v; want 1411", err)
	}
	if _, err := f.Begin(mustKey(t, "", "k", "other")); gerror.Code(err) != consts.CodeKeyReused {
		t.Fatalf("another body in flight: %v; want 1422", err)
	}
	other, err := f.Begin(mustKey(t, "scope-b", "k", "body"))
	if err != nil {
		t.Fatalf("another scope: %v", err)
	}
	other()
	end()
	if end, err = f.Begin(k); err != nil {
		t.Fatalf("after the end: %v", err)
	}
	end()
}

func TestRecent(t *testing.T) {
	clock := time.Unix(1000, 0)
	r := NewRecent(3, time.Minute)
	r.now = func() time.Time { return clock }
	keys := make([]Key, 4)
	for i := range keys {
		keys[i] = mustKey(t, "", fmt.Sprint(i), "body")
		r.Put(keys[i])
		clock = clock.Add(time.Second)
	}
	if ok, _ := r.Answered(keys[0]); ok || r.Len() != 3 {
		t.Fatalf("the oldest past the cap: answered %v, %d kept; want dropped, 3", ok, r.Len())
	}
	if ok, err := r.Answered(keys[1]); !ok || err != nil {
		t.Fatalf("a kept key: %v %v", ok, err)
	}
	if _, err := r.Answered(mustKey(t, "", "1", "other")); gerror.Code(err) != consts.CodeKeyReused {
		t.Fatalf("a kept key with another body: %v; want 1422", err)
	}
	clock = time.Unix(1001, 0).Add(time.Minute) // keys[1] is a minute old: kept; keys[0] would not be
	if ok, _ := r.Answered(keys[1]); !ok {
		t.Fatal("a key exactly the window old was dropped")
	}
	clock = clock.Add(time.Millisecond)
	if ok, _ := r.Answered(keys[1]); ok || r.Len() != 2 {
		t.Fatalf("past the window: answered %v, %d kept; want dropped, 2", ok, r.Len())
	}
}
