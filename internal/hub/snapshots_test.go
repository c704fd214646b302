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
