package auth

import (
	"fmt"
	"testing"
	"time"
)

// TestUserRate: each sub has its own burst of 2 x rate, refilled at the rate; a refusal says
// when to retry; the buckets of idle subs are forgotten; 0 is no limit.
func TestUserRate(t *testing.T) {
	u := NewUserRate(2)
	for i := range 4 {
		if ok, _ := u.Allow("alice", start); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if ok, after := u.Allow("alice", start); ok || after != time.Second {
		t.Fatalf("over the burst: %v, retry after %v; want refused, 1s", ok, after)
	}
	if ok, _ := u.Allow("bob", start); !ok {
		t.Fatal("bob is refused for alice's requests")
	}
	if ok, _ := u.Allow("alice", start.Add(500*time.Millisecond)); !ok {
		t.Fatal("alice is refused after the rate gave her one request back")
	}
	for i := range 1000 {
		u.Allow(fmt.Sprintf("user-%d", i), start)
	}
	u.Allow("carol", start.Add(3*time.Second)) // past the time the buckets take to fill
	if n := u.Len(); n != 1 {
		t.Fatalf("%d buckets remembered after the others went idle, want 1 (carol's)", n)
	}
	if NewUserRate(0) != nil {
		t.Fatal("rate 0 limits")
	}
	if ok, _ := (*UserRate)(nil).Allow("alice", start); !ok {
		t.Fatal("no limit refused")
	}
}
