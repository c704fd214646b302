package hub

import (
	"fmt"
	"slices"
	"testing"
)

// TestUsersIndex: connections are found by their user name until removed, each once, whatever
// the order they go in; a connection without a name is not indexed, and a name with no
// connection left holds nothing.
func TestUsersIndex(t *testing.T) {
	var u users
	bob1, bob2, bob3 := &Conn{user: "bob"}, &Conn{user: "bob"}, &Conn{user: "bob"}
	carol, nobody := &Conn{user: "carol"}, &Conn{}
	for _, c := range []*Conn{bob1, bob2, carol, nobody, bob3} {
		u.add(c)
	}
	if got := u.conns["bob"]; len(got) != 3 || !slices.Contains(got, bob1) || !slices.Contains(got, bob2) || !slices.Contains(got, bob3) {
		t.Fatalf("bob's connections: %v", got)
	}
	if _, ok := u.conns[""]; ok {
		t.Fatal("a connection without a user name was indexed")
	}
	u.remove(bob1)   // the first: the last takes its place, and is still found there
	u.remove(nobody) // not indexed: nothing happens
	if got := u.conns["bob"]; len(got) != 2 || slices.Contains(got, bob1) || got[bob3.userSlot] != bob3 || got[bob2.userSlot] != bob2 {
		t.Fatalf("bob's connections after removing the first: %v", got)
	}
	u.remove(bob1) // twice: nothing happens
	u.add(bob1)
	u.remove(bob2)
	if got := u.conns["bob"]; len(got) != 2 || slices.Contains(got, bob2) {
		t.Fatalf("bob's connections after removing another: %v", got)
	}
	u.remove(bob1)
	u.remove(bob3)
	u.remove(carol)
	if len(u.conns) != 0 {
		t.Fatalf("names left without connections: %v", u.conns)
	}
}

// BenchmarkUsersIndex is what the index adds to attaching and removing one connection (both under
// the manager's lock, which they take anyway), among 10,000: each with a name of its own, and all
// under one name (auth off, every dashboard opened as "admin"). Publishing never touches the index.
func BenchmarkUsersIndex(b *testing.B) {
	for _, shape := range []struct {
		name  string
		names int
	}{{"distinct-names", 10_000}, {"one-name", 1}} {
		b.Run(shape.name, func(b *testing.B) {
			var u users
			conns := make([]*Conn, 10_000)
			for i := range conns {
				conns[i] = &Conn{user: fmt.Sprintf("user-%d", i%shape.names)}
				u.add(conns[i])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := conns[i%len(conns)]
				u.remove(c)
				u.add(c)
			}
		})
	}
}
