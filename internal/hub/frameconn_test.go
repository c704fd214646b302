package hub

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// rawClient is a WebSocket client that writes frames byte for byte as a test wants them, several
// in one write or one split over several, and reads the server's frames.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, url string) *rawClient {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, upgradeRequest); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	return &rawClient{t: t, conn: conn, r: r}
}

// frame encodes one client frame, masked as a client must.
func frame(final bool, opcode int, payload string) []byte {
	h := wsframe.Header{Final: final, Opcode: byte(opcode), Masked: true, Mask: [4]byte{0x12, 0x34, 0x56, 0x78}, Length: int64(len(payload))}
	out := append(h.Append(nil), payload...)
	wsframe.Mask(h.Mask, out[len(out)-len(payload):], 0)
	return out
}

func (c *rawClient) write(parts ...[]byte) {
	c.t.Helper()
	if _, err := c.conn.Write(bytes.Join(parts, nil)); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the server's next frame.
func (c *rawClient) next() (opcode int, payload string) {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(patience))
	_, op, buf, err := readServerFrame(c.r, nil)
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	return op, string(buf)
}

// want is a frame a test expects: its opcode and a part of its payload.
type want struct {
	opcode   int
	contains string
}

// expect reads frames until it has seen every want, in any order: a pong (a control frame) may
// overtake a message queued before it, and messages queued together share a frame, one object
// per line. The server's heartbeat pings come when their turn comes, in a slow test too: skipped.
func (c *rawClient) expect(wants ...want) {
	c.t.Helper()
	left := append([]want(nil), wants...)
	for len(left) > 0 {
		op, payload := c.next()
		if op == websocket.PingMessage {
			continue
		}
		items := []string{payload}
		if op == websocket.TextMessage {
			items = strings.Split(payload, "\n")
		}
		for _, item := range items {
			i := slices.IndexFunc(left, func(w want) bool { return w.opcode == op && strings.Contains(item, w.contains) })
			if i < 0 {
				c.t.Fatalf("got frame %d %q, want one of %+v", op, item, left)
			}
			left = slices.Delete(left, i, i+1)
		}
	}
}

var pong = want{websocket.TextMessage, `"pong"`} // the answer to appPing

const appPing = `{"type":"ping"}`

// TestFramedReading: whatever way a client cuts its frames, each is read once and at once:
// several in one segment, one split mid-header, a fragmented message with a ping inside. Both
// ways of reading: the poller's, and a goroutine per connection.
func TestFramedReading(t *testing.T) {
	t.Run("poller", func(t *testing.T) { testFramedReading(t, Upgrade) })
	t.Run("goroutine", func(t *testing.T) { testFramedReading(t, classicUpgrade) })
}

func testFramedReading(t *testing.T, upgrade upgrader) {
	m := NewManager("test", NewBusinessIndex(), Options{CloseGrace: 100 * time.Millisecond})
	defer m.Shutdown(t.Context())
	var closed atomic.Int64
	c := dialRaw(t, serveUpgraded(t, m, &closed, upgrade))

	// Two messages, a ping and a pong in one write: every one is answered without more input.
	c.write(frame(true, websocket.TextMessage, appPing), frame(true, websocket.PingMessage, "p1"),
		frame(true, websocket.TextMessage, appPing), frame(true, websocket.PongMessage, "x"))
	c.expect(pong, want{websocket.PongMessage, "p1"}, pong)

	// One frame in three pieces, the first a single byte of its header.
	f := frame(true, websocket.TextMessage, appPing)
	for _, part := range [][]byte{f[:1], f[1:4], f[4:]} {
		c.write(part)
		time.Sleep(20 * time.Millisecond)
	}
	c.expect(pong)

	// A fragmented message with a ping between its fragments, and a 200-byte ping payload's
	// worth of message (a 16-bit length).
	c.write(frame(false, websocket.TextMessage, `{"type":`), frame(true, websocket.PingMessage, "p2"))
	time.Sleep(20 * time.Millisecond)
	c.write(frame(true, 0, `"ping","pad":"`+strings.Repeat("x", 200)+`"}`))
	c.expect(want{websocket.PongMessage, "p2"}, pong)

	// A binary frame is refused with 1003; the connection is then closed.
	c.write(frame(true, websocket.BinaryMessage, "bin"))
	c.expect(want{websocket.CloseMessage, "binary frames are not supported"})
	c.write(frame(true, websocket.CloseMessage, "\x03\xeb"))
	poll.Eventually(t, func() bool { return closed.Load() == 1 }, "the connection was not closed")
}

// TestBadFramesClose: a frame that breaks the protocol closes the connection with 1002, an
// oversized one with 1009, and the server goes on serving others.
func TestBadFramesClose(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{MaxMessageSize: 1024, CloseGrace: 100 * time.Millisecond})
	defer m.Shutdown(t.Context())
	var closed atomic.Int64
	url := serve(t, m, &closed)
	for _, tc := range []struct {
		name  string
		frame []byte
		code  string
	}{
		{"fragmented ping", frame(false, websocket.PingMessage, "x"), "\x03\xea"},
		{"continuation without a start", frame(true, 0, "x"), "\x03\xea"},
		{"oversized message", frame(true, websocket.TextMessage, strings.Repeat("x", 2000)), "\x03\xf1"},
		{"unknown opcode", frame(true, 3, "x"), "\x03\xea"},
	} {
		c := dialRaw(t, url)
		c.write(tc.frame)
		op, payload := c.next()
		if op != websocket.CloseMessage || !strings.HasPrefix(payload, tc.code) {
			t.Errorf("%s: got frame %d %q, want a close with code %x", tc.name, op, payload, tc.code)
		}
	}
	ok := dialRaw(t, url)
	ok.write(frame(true, websocket.TextMessage, appPing))
	ok.expect(pong)
}

// TestIdleConnectionsHoldNoGoroutine: on Linux an idle connection is the poller's: it keeps no
// goroutine (and so no stack) until it has something to read or write.
func TestIdleConnectionsHoldNoGoroutine(t *testing.T) {
	if sharedPoller() == nil {
		t.Skip("no poller on " + runtime.GOOS + ": every connection keeps a reading goroutine")
	}
	m := NewManager("test", NewBusinessIndex(), Options{CloseGrace: 100 * time.Millisecond})
	defer m.Shutdown(t.Context())
	var closed atomic.Int64
	url := serve(t, m, &closed)
	const n = 200
	before := runtime.NumGoroutine()
	clients := make([]*rawClient, n)
	for i := range clients {
		clients[i] = dialRaw(t, url)
	}
	poll.Eventually(t, func() bool { return m.Len() == n }, "the manager never held the %d connections", n)
	// The handshakes' goroutines end in their own time: wait for it, however busy the machine.
	grew := 0
	if !poll.Until(func() bool { grew = runtime.NumGoroutine() - before; return grew <= n/10 }) {
		t.Fatalf("%d idle connections hold %d goroutines", n, grew)
	}
	// And each still answers.
	for _, c := range clients[:10] {
		c.write(frame(true, websocket.TextMessage, appPing))
		c.expect(pong)
	}
}

// TestIsHeartbeat: the poller's reader answers only a whole, masked ping or pong of at most 125
// bytes; every other frame, malformed control frames included, goes to gorilla.
func TestIsHeartbeat(t *testing.T) {
	ping := wsframe.Header{Final: true, Opcode: wsframe.OpPing, Masked: true, Length: 4}
	with := func(change func(*wsframe.Header)) wsframe.Header { h := ping; change(&h); return h }
	for _, tc := range []struct {
		name string
		h    wsframe.Header
		want bool
	}{
		{"ping", ping, true},
		{"pong", with(func(h *wsframe.Header) { h.Opcode = wsframe.OpPong }), true},
		{"empty ping", with(func(h *wsframe.Header) { h.Length = 0 }), true},
		{"125 bytes", with(func(h *wsframe.Header) { h.Length = wsframe.MaxControlPayload }), true},
		{"126 bytes", with(func(h *wsframe.Header) { h.Length = wsframe.MaxControlPayload + 1 }), false},
		{"negative length", with(func(h *wsframe.Header) { h.Length = -1 }), false},
		{"fragmented", with(func(h *wsframe.Header) { h.Final = false }), false},
		{"reserved bits", with(func(h *wsframe.Header) { h.RSV = 0x40 }), false},
		{"unmasked", with(func(h *wsframe.Header) { h.Masked = false }), false},
		{"text", with(func(h *wsframe.Header) { h.Opcode = wsframe.OpText }), false},
		{"close", with(func(h *wsframe.Header) { h.Opcode = wsframe.OpClose }), false},
	} {
		if got := isHeartbeat(&tc.h); got != tc.want {
			t.Errorf("%s: isHeartbeat() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestInboundLimit: the bucket holds two seconds of frames (at least one), refills with the time
// between frames up to that, and refuses a frame when less than one is left. The clock is the
// test's: nothing here waits.
func TestInboundLimit(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	for _, tc := range []struct {
		name  string
		rate  float64
		takes []time.Duration // when each frame arrives
		want  []bool
	}{
		{"a burst of twice the rate", 2, []time.Duration{0, 0, 0, 0, 0}, []bool{true, true, true, true, false}},
		{"refilled by waiting", 2, []time.Duration{0, 0, 0, 0, 0, time.Second / 2}, []bool{true, true, true, true, false, true}},
		{"never above the burst", 1, []time.Duration{0, time.Hour, time.Hour, time.Hour}, []bool{true, true, true, false}},
		{"a slow rate still allows one", 0.1, []time.Duration{0, 0, 5 * time.Second, 10 * time.Second}, []bool{true, false, false, true}},
		{"at the rate, forever", 10, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, []bool{true, true, true, true}},
	} {
		l := newInboundLimit(tc.rate, start)
		for i, d := range tc.takes {
			if got := l.take(at(d)); got != tc.want[i] {
				t.Errorf("%s: frame %d at %v: take() = %v, want %v", tc.name, i, d, got, tc.want[i])
			}
		}
	}
}
