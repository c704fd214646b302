package sse_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/sse"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// BenchmarkTransportFanout compares one manager's fan-out to event streams with its fan-out to
// WebSockets, over real loopback sockets: each publish of a 64-byte object to subs subscribers,
// waiting for every delivery after each window of publishes (window 1: the cost of one fan-out;
// 64: writers batch). A WebSocket is written by the manager's writers without waiting (the fast
// path); a stream by its own goroutine.
func BenchmarkTransportFanout(b *testing.B) {
	for _, transport := range []string{"websocket", "sse"} {
		for _, window := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/window=%d/subs=1000", transport, window), func(b *testing.B) {
				benchFanout(b, transport, window, 1000)
			})
		}
	}
}

func benchFanout(b *testing.B, transport string, window, subs int) {
	m := hub.NewManager("bench", hub.NewBusinessIndex(), hub.Options{Overflow: hub.DropOldest})
	defer m.Shutdown(b.Context())
	key := hub.Key{Type: "bench", ID: "k"}
	var received atomic.Int64
	up := websocket.Upgrader{WriteBufferPool: &sync.Pool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if transport == "sse" {
			if s, err := sse.Open(w, nil); err == nil {
				m.AttachStream(s, key, "bench", hub.AttachOptions{})
			}
			return
		}
		if ws, err := hub.Upgrade(&up, w, r); err == nil {
			m.Attach(ws, key, "bench", hub.AttachOptions{})
		}
	}))
	defer srv.Close()
	for range subs {
		subscribe(b, srv.Listener.Addr().String(), transport, &received)
	}
	poll.Eventually(b, func() bool { return m.Len() == subs }, "the manager never held the %d connections", subs)
	payload := []byte(`{"type":"rowdata","ts":1732250000123,"data":{"seq":1,"pad":"xxxxxxxxxxxx"}}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Publish(key, hub.NewMessage(payload))
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
}

// subscribe opens one subscriber and counts the objects it receives.
func subscribe(b *testing.B, addr, transport string, received *atomic.Int64) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	if transport == "sse" {
		io.WriteString(conn, "GET /sse HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
		go countEvents(conn, received)
		return
	}
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	go countObjects(conn, received)
}

// countObjects reads a server's (unmasked) WebSocket frames and counts the newline-separated
// objects of its text messages, as cheaply as countEvents reads a stream.
func countObjects(conn net.Conn, received *atomic.Int64) {
	r := bufio.NewReader(conn)
	if _, err := http.ReadResponse(r, nil); err != nil {
		return
	}
	var head [8]byte
	payload := make([]byte, 0, 4096)
	for {
		if _, err := io.ReadFull(r, head[:2]); err != nil {
			return
		}
		final, opcode, n := head[0]&0x80 != 0, head[0]&0x0f, int(head[1]&0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(r, head[:2]); err != nil {
				return
			}
			n = int(binary.BigEndian.Uint16(head[:2]))
		case 127:
			if _, err := io.ReadFull(r, head[:8]); err != nil {
				return
			}
			n = int(binary.BigEndian.Uint64(head[:8]))
		}
		payload = slices.Grow(payload[:0], n)[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		if opcode == websocket.TextMessage || opcode == 0 { // text, or its continuation
			received.Add(int64(bytes.Count(payload, []byte{'\n'})))
			if final {
				received.Add(1)
			}
		}
	}
}

// countEvents counts the events of a stream of row data: each is "data: {...}\n\n", two newlines
// (no id lines, and the heartbeat comes every 25 s).
func countEvents(conn net.Conn, received *atomic.Int64) {
	r := bufio.NewReader(conn)
	if _, err := http.ReadResponse(r, nil); err != nil {
		return
	}
	buf := make([]byte, 4096)
	newlines := int64(0)
	for {
		n, err := r.Read(buf)
		if err != nil {
			return
		}
		before := newlines / 2
		newlines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		received.Add(newlines/2 - before)
	}
}
