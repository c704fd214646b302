package app_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestNoGoroutineOutlivesItsConnection closes connections in every way there is (client close,
// dropped TCP, protocol violations, a burst) and checks that each is removed once and that no
// goroutine is left behind.
func TestNoGoroutineOutlivesItsConnection(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.WS.MaxMessageSize = 256 })
	settle := func() int {
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"warm-up"}`) // the test's keep-alive HTTP connection
	warm := n.Dial(pulsenode.RowPath("meter", "*", "warm-up"))                     // starts the process's one epoll poller
	_ = warm.WS.Close()
	n.WaitConnections(0, 0)
	base := settle()

	for round := range 3 {
		var clients []*pulsenode.Client
		for i := range 40 {
			path := "/ws/alarm"
			if i%2 == 0 {
				path = pulsenode.RowPath("meter", "*", "u")
			}
			clients = append(clients, n.Dial(path))
		}
		n.WaitConnections(20, 20)
		n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":1}`)
		n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"m-1"}`)
		for i, c := range clients {
			switch i % 4 {
			case 0: // polite close
				_ = c.WS.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			case 1: // the peer vanishes
				_ = c.WS.NetConn().Close()
			case 2: // binary frame: the server closes with 1003, twice over
				_ = c.WS.WriteMessage(websocket.BinaryMessage, []byte{1})
				_ = c.WS.WriteMessage(websocket.BinaryMessage, []byte{2})
			case 3: // oversized frame: 1009, then the client vanishes mid-close
				_ = c.WS.WriteMessage(websocket.TextMessage, make([]byte, 1024))
				_ = c.WS.NetConn().Close()
			}
		}
		n.WaitConnections(0, 0)
		if s := n.RowData.Stats(); s.Connections != 0 {
			t.Fatalf("round %d: %+v", round, s)
		}
	}
	defer func() {
		if t.Failed() {
			buf := make([]byte, 1<<20)
			t.Logf("%s", buf[:runtime.Stack(buf, true)])
		}
	}()
	after := 0
	if !poll.Until(func() bool { after = settle(); return after <= base }) {
		t.Fatalf("goroutines: %d before, %d after all connections closed", base, after)
	}
}
