package hub

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSnapshotKeysDefault: a manager that keeps snapshots without naming SnapshotKeys (0, which
// rowdata.snapshotKeys documents as "the default") remembers DefaultOptions' number of keys; it
// used to remember none, and its first publish panicked.
func TestSnapshotKeysDefault(t *testing.T) {
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
