package hub

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestStuckWriteIsEnded: a client that stops reading fills its socket; the write that blocks is
// ended after WriteTimeout and the connection is torn down. The test waits for the teardown; when
// it comes is the timeout's business.
func TestStuckWriteIsEnded(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{WriteTimeout: 200 * time.Millisecond, SendQueue: 1 << 20})
	defer m.Shutdown(t.Context())
	var closed atomic.Int64
	url := serve(t, m, &closed)
	stuck, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	for m.Len() != 1 {
		time.Sleep(time.Millisecond)
	}
	big := NewMessage([]byte(`"` + strings.Repeat("x", 64<<10) + `"`))
	start := time.Now()
	for closed.Load() == 0 { // the socket buffers fill within a few MB; then the write blocks
		if time.Since(start) > patience {
			t.Fatal("a client that reads nothing was never dropped")
		}
		m.Publish(Key{Type: "t", ID: "i"}, big)
		time.Sleep(time.Millisecond)
	}
	if m.Len() != 0 {
		t.Fatalf("%d connections left", m.Len())
	}
}
