package hub

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSnapshotMemoryDefault: a manager that keeps snapshots without naming SnapshotMemory (0, as
// for every engine default) keeps them within DefaultOptions' 256 MiB; a bound of 0 would keep
// nothing, and a dashboard would get no snapshot.
func TestSnapshotMemoryDefault(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 2})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	m.Publish(Key{Type: "t", ID: "i"}, NewMessage([]byte(`{"v":1}`)))

	var closed atomic.Int64
	ws, _, err := websocket.DefaultDialer.Dial(serve(t, m, &closed), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(patience))
	_, got, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"snapshot":true,"v":1}`; string(got) != want {
		t.Fatalf("first message %s, want the snapshot %s", got, want)
	}
	if limit := m.Stats().SnapshotLimit; limit != 256<<20 {
		t.Fatalf("SnapshotLimit %d, want 256 MiB", limit)
	}
}

// TestMarkSnapshot: an object gains "snapshot":true as its first member, whatever its spacing;
// anything that is not an object passes unchanged.
func TestMarkSnapshot(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"type":"rowdata","ts":1}`, `{"snapshot":true,"type":"rowdata","ts":1}`},
		{`{}`, `{"snapshot":true}`},
		{`{ }`, `{"snapshot":true }`},
		{"{\n}", "{\"snapshot\":true\n}"},
		{`{ "a":1}`, `{"snapshot":true, "a":1}`},
		{`[1,2]`, `[1,2]`},
		{`"text"`, `"text"`},
		{`{`, `{`},
		{`{ `, `{ `},
		{``, ``},
	} {
		if got := string(markSnapshot([]byte(tc.in))); got != tc.want {
			t.Errorf("markSnapshot(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRecent: the keys held, most recently published first, with the time of their latest
// publish; forgotten keys, type-wide and broadcast publishes are not among them; scope and limit
// apply; a manager without snapshots has none.
func TestRecent(t *testing.T) {
	ring := ringCost(Key{"t", "a"}, 1) + messageCost(NewMessage([]byte(`{}`)))
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 1, SnapshotMemory: 3 * ring})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	before := time.Now().UnixMilli()
	for _, k := range []Key{{"t", "a"}, {"t", "b"}, {"u", "c"}, {"t", "a"}, {"t", ""}, {"", ""}, {"t", "*"}, {"t", "d"}} {
		m.Publish(k, NewMessage([]byte(`{}`)))
	}
	after := time.Now().UnixMilli()
	got := m.Recent(10, nil)
	want := []Key{{"t", "d"}, {"t", "a"}, {"u", "c"}} // room for three: t, the heaviest, forgot t/b
	if len(got) != len(want) {
		t.Fatalf("Recent = %v, want %v", got, want)
	}
	for i, r := range got {
		if r.Key != want[i] || r.LastMs < before || r.LastMs > after {
			t.Errorf("Recent[%d] = %+v, want %v published between %d and %d", i, r, want[i], before, after)
		}
	}
	if got := m.Recent(1, nil); len(got) != 1 || got[0].Key != (Key{"t", "d"}) {
		t.Errorf("Recent(1) = %v, want [t/d]", got)
	}
	for _, tc := range []struct {
		scope []Key
		want  string
	}{
		{[]Key{{}}, "[t/d t/a u/c]"},
		{[]Key{{"u", "*"}}, "[u/c]"},
		{[]Key{{"u", "c"}, {"t", "a"}}, "[t/a u/c]"},                             // in publish order, not the scope's
		{[]Key{{"t", "*"}, {"t", "a"}, {"t", "*"}, {"u", "c"}}, "[t/d t/a u/c]"}, // each key once
		{[]Key{{"t", "b"}, {"v", "*"}, {"v", "x"}}, "[]"},                        // forgotten, never held
		{[]Key{}, "[]"},
	} {
		var keys []string
		for _, r := range m.Recent(10, tc.scope) {
			keys = append(keys, r.Type+"/"+r.ID)
		}
		if got := fmt.Sprint(keys); got != tc.want {
			t.Errorf("Recent(10, %v) = %s, want %s", tc.scope, got, tc.want)
		}
	}
	if got := m.Recent(1, []Key{{"t", "*"}, {"u", "*"}}); len(got) != 1 || got[0].Key != (Key{"t", "d"}) {
		t.Errorf("Recent(1, t and u) = %v, want [t/d]", got)
	}
	none := NewManager("none", NewBusinessIndex(), Options{})
	t.Cleanup(func() { _ = none.Shutdown(t.Context()) })
	none.Publish(Key{"t", "a"}, NewMessage([]byte(`{}`)))
	if got := none.Recent(10, nil); len(got) != 0 {
		t.Errorf("Recent without snapshots = %v, want none", got)
	}
}
