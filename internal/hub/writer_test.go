package hub

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// item is a test message: publisher p's n-th, padded to a size.
type item struct {
	P   int    `json:"p"`
	N   int    `json:"n"`
	Pad string `json:"pad"`
}

func itemMessage(p, n, size int) *Message {
	b, _ := json.Marshal(item{P: p, N: n, Pad: strings.Repeat("x", size)})
	return NewMessage(b)
}

// readItems reads frames until it has count items or patience runs out. It reports the first
// object that is not whole, or that is not its publisher's next (each publisher's must come in
// order, without a gap).
func readItems(ws *websocket.Conn, count, publishers int) error {
	next := make([]int, publishers)
	for got := 0; got < count; {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, frame, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("after %d of %d items: %w", got, count, err)
		}
		for _, obj := range strings.Split(string(frame), "\n") {
			var it item
			if err := json.Unmarshal([]byte(obj), &it); err != nil {
				return fmt.Errorf("item %d: not a whole object (%v): %.80q", got, err, obj)
			}
			if it.N != next[it.P] {
				return fmt.Errorf("publisher %d: got item %d, want %d", it.P, it.N, next[it.P])
			}
			next[it.P]++
			got++
		}
	}
	return nil
}

// TestSlowReaderGetsWholeFramesInOrder: a client that stops reading while megabytes are published
// to it fills its socket, so that writes stop midway through frames; meanwhile the server pings
// it and answers its pings. When it reads again it gets every message whole and in order: the
// fast path hands a frame it could only begin to the connection's goroutine, and no ping or pong
// comes between the parts. Both ways of reading (the poller's, with the fast path, and a
// goroutine per connection, without it).
func TestSlowReaderGetsWholeFramesInOrder(t *testing.T) {
	for name, up := range map[string]upgrader{"poller": Upgrade, "goroutine": classicUpgrade} {
		t.Run(name, func(t *testing.T) {
			const count, size = 3000, 2000 // 6 MB: far more than the sockets' buffers hold
			m := NewManager("t", NewBusinessIndex(), Options{SendQueue: count, PingInterval: 10 * time.Millisecond})
			defer m.Shutdown(t.Context())
			var closed atomic.Int64
			url := serveUpgraded(t, m, &closed, up)
			d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
				c, err := net.Dial(network, addr)
				if err == nil {
					_ = c.(*net.TCPConn).SetReadBuffer(64 << 10) // fill up soon
				}
				return c, err
			}}
			ws, _, err := d.Dial(url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			waitLen(t, m, 1)

			stop := make(chan struct{})
			var pinging sync.WaitGroup
			pinging.Go(func() { // the client's pings: the server's reader answers them while the writer writes
				for {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
						if ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(patience)) != nil {
							return
						}
					}
				}
			})
			for n := range count {
				m.Publish(Key{Type: "t", ID: "i"}, itemMessage(0, n, size))
			}
			time.Sleep(100 * time.Millisecond) // not reading: the socket fills and stays full a while
			err = readItems(ws, count, 1)
			close(stop)
			pinging.Wait()
			if err != nil {
				t.Fatal(err)
			}
			if s := m.Stats(); s.Dropped != 0 {
				t.Fatalf("dropped %d", s.Dropped)
			}
		})
	}
}

// TestConcurrentPublishesKeepTheirOrder: publishers on several goroutines broadcast to the same
// connections at once; every connection gets every message, each publisher's in the order it
// published them (the writers are one per core: a connection is always written by the same one).
func TestConcurrentPublishesKeepTheirOrder(t *testing.T) {
	const conns, publishers, each = 20, 4, 500
	m := NewManager("t", NewBusinessIndex(), Options{SendQueue: publishers * each})
	defer m.Shutdown(t.Context())
	var closed atomic.Int64
	url := serve(t, m, &closed)
	clients := make([]*websocket.Conn, conns)
	for i := range clients {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		clients[i] = ws
	}
	waitLen(t, m, conns)

	var publishing sync.WaitGroup
	for p := range publishers {
		publishing.Go(func() {
			for n := range each {
				if got := m.Publish(Key{Type: "t", ID: "i"}, itemMessage(p, n, 10)); got != conns {
					t.Errorf("published to %d connections, want %d", got, conns)
					return
				}
			}
		})
	}
	var reading sync.WaitGroup
	for _, ws := range clients {
		reading.Go(func() {
			if err := readItems(ws, publishers*each, publishers); err != nil {
				t.Error(err)
			}
		})
	}
	publishing.Wait()
	reading.Wait()
}

// waitLen waits until m holds n connections.
func waitLen(t *testing.T, m *Manager, n int) {
	t.Helper()
	poll.Eventually(t, func() bool { return m.Len() == n }, "%d connections, want %d", m.Len(), n)
}

// TestConnHotFieldsShareALine: what the fast path reads of every recipient sits in a Conn's first
// 64 bytes, and a Conn fills a size class of whole cache lines (384 bytes), so that those 64 bytes
// are one line: one cache miss per recipient instead of two. A field added in the wrong place
// costs every broadcast; this says so.
func TestConnHotFieldsShareALine(t *testing.T) {
	var c Conn
	if end := unsafe.Offsetof(c.replay) + unsafe.Sizeof(c.replay); end > 64 {
		t.Errorf("the fast path's fields end at byte %d of a Conn, past its first cache line", end)
	}
	if size := unsafe.Sizeof(c); size > 384 {
		t.Errorf("a Conn is %d bytes: past the 384-byte size class, Conns no longer start on a cache line", size)
	}
}
