package hub

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// patience bounds every wait for something that is due; see poll.Patience.
const patience = poll.Patience

// serve runs a manager behind a real HTTP server and returns its ws:// URL. Each connection's
// onClose adds one to closed.
func serve(t *testing.T, m *Manager, closed *atomic.Int64) string {
	return serveUpgraded(t, m, closed, Upgrade)
}

// upgrader upgrades a request: Upgrade (the poller reads idle connections where it can) or
// classicUpgrade (a goroutine per connection reads, as where there is no poller, or with TLS).
type upgrader func(*websocket.Upgrader, http.ResponseWriter, *http.Request) (*websocket.Conn, error)

func classicUpgrade(up *websocket.Upgrader, w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	return upgrade(up, w, r, false)
}

func serveUpgraded(t *testing.T, m *Manager, closed *atomic.Int64, upgrade upgrader) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrade(&up, w, r)
		if err != nil {
			return
		}
		m.Attach(ws, Key{Type: "t", ID: "i"}, "u", AttachOptions{OnClose: func() { closed.Add(1) }})
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// TestCloseIsIdempotent closes connections from many goroutines at once while publishing and
// while the clients go away: each is removed once and its onClose runs once.
func TestCloseIsIdempotent(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{Overflow: CloseSlow, SendQueue: 4})
	var closed atomic.Int64
	url := serve(t, m, &closed)
	var clients []*websocket.Conn
	for range 20 {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		clients = append(clients, ws)
	}
	poll.Eventually(t, func() bool { return m.Len() == 20 }, "the manager never held the 20 connections")
	var conns []*Conn
	m.each(func(c *Conn) { conns = append(conns, c) })

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range conns {
				switch i % 4 {
				case 0:
					c.Close(websocket.CloseNormalClosure, "")
				case 1:
					c.abort()
				case 2:
					m.Publish(Key{"t", "i"}, NewMessage([]byte(`{}`))) // overflows the queue of 4: 1013
				case 3:
					c.drain(websocket.CloseGoingAway, "")
				}
			}
		}()
	}
	for _, ws := range clients[:10] {
		_ = ws.Close()
	}
	wg.Wait()
	if !poll.Until(func() bool { return m.Len() == 0 }) {
		t.Fatalf("%d connections left", m.Len())
	}
	for _, c := range conns {
		select {
		case <-c.done:
		case <-time.After(patience):
			t.Fatal("a connection was never torn down")
		}
	}
	if n := closed.Load(); n != 20 {
		t.Fatalf("onClose ran %d times for 20 connections", n)
	}
}
