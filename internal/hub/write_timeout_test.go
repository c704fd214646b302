package hub

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
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
	poll.Eventually(t, func() bool { return m.Len() == 1 }, "the manager never held the connection")
	big := NewMessage([]byte(`"` + strings.Repeat("x", 64<<10) + `"`))
	// The socket buffers fill within a few MB; then the write blocks.
	poll.Eventually(t, func() bool {
		if closed.Load() != 0 {
			return true
		}
		m.Publish(Key{Type: "t", ID: "i"}, big)
		return false
	}, "a client that reads nothing was never dropped")
	if m.Len() != 0 {
		t.Fatalf("%d connections left", m.Len())
	}
}
