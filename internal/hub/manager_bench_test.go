package hub

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// benchServer serves m over real loopback sockets and returns a function that opens a subscriber
// of key whose received objects are counted.
func benchServer(b *testing.B, m *Manager, key Key, received *atomic.Int64) func() {
	up := websocket.Upgrader{WriteBufferPool: &sync.Pool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws, err := Upgrade(&up, w, r); err == nil {
			m.Attach(ws, key, "bench", AttachOptions{})
		}
	}))
	b.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	return func() {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		io.WriteString(conn, upgradeRequest)
		go countObjects(conn, received)
	}
}

// countObjects reads server frames (unmasked) and counts the newline-separated objects in them.
func countObjects(conn net.Conn, received *atomic.Int64) {
	r := bufio.NewReader(conn)
	if _, err := http.ReadResponse(r, nil); err != nil {
		return
	}
	buf := make([]byte, 0, 4096)
	for {
		final, opcode, payload, err := readServerFrame(r, buf)
		if err != nil {
			return
		}
		buf = payload
		if opcode == websocket.TextMessage || opcode == 0 { // text, or its continuation
			received.Add(int64(bytes.Count(payload, []byte{'\n'})))
			if final { // the final frame of a message ends its last object
				received.Add(1)
			}
		}
	}
}

// benchPublish publishes a 64-byte object to one key followed by subs connections, waiting for
// every delivery after each window of publishes (smaller than a send queue, so nothing is
// dropped). ns/op is per publish; ns/delivery divides by the recipients.

// BenchmarkPublish: publishes in windows of 64, so connection writers batch (throughput).
func BenchmarkPublish(b *testing.B) { benchPublish(b, 64) }

// BenchmarkFanout: each publish waits until every subscriber has it, so nothing batches: the cost
// of one fan-out, which bounds latency at low rates with many subscribers (S1 10k).
func BenchmarkFanout(b *testing.B) { benchPublish(b, 1) }

func benchPublish(b *testing.B, window int) {
	for _, subs := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("subs=%d", subs), func(b *testing.B) {
			m := NewManager("bench", NewBusinessIndex(), Options{Overflow: Coalesce}) // the row-data manager's default
			defer m.Shutdown(b.Context())
			var received atomic.Int64
			key := Key{Type: "bench", ID: "k"}
			subscribe := benchServer(b, m, key, &received)
			for range subs {
				subscribe()
			}
			poll.Eventually(b, func() bool { return m.Len() == subs }, "the manager never held the %d connections", subs)
			payload := []byte(`{"type":"rowdata","ts":1732250000123,"data":{"seq":1,"pad":"xxxxxxxxxxxx"}}`)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if got := m.Publish(key, NewMessage(payload)); got != subs {
					b.Fatalf("published to %d", got)
				}
				if i%window == window-1 || i == b.N-1 {
					want := int64(i+1) * int64(subs)
					for deadline := time.Now().Add(10 * time.Second); received.Load() < want; time.Sleep(50 * time.Microsecond) {
						if time.Now().After(deadline) {
							b.Fatalf("received %d of %d; %+v", received.Load(), want, m.Stats())
						}
					}
				}
			}
			b.StopTimer()
			if d := m.Stats().Dropped; d != 0 {
				b.Fatalf("%d dropped", d)
			}
			perDelivery := float64(b.Elapsed().Nanoseconds()) / float64(b.N*subs)
			b.ReportMetric(perDelivery, "ns/delivery")
			b.ReportMetric(1e9/perDelivery, "deliveries/s")
		})
	}
}
