package hub

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// frameConn is a connection's socket as gorilla/websocket reads it. It hands gorilla one frame at
// a time and never a byte past the end of one, so that between messages nothing waits in
// gorilla's read buffer: the socket alone tells whether the client sent more, and an idle
// connection can be left to the poller with no goroutine of its own (see poller_linux.go). And
// since every frame's header passes through it, it is where the inbound rate is kept.
type frameConn struct {
	net.Conn
	raw syscall.RawConn // the TCP socket's, when the poller may read it; else nil
	// writeMu orders the frames written to the socket: gorilla's (pings, pongs, closes, and all
	// frames of connections without the fast path) through Write, and the fast path's own (see
	// writer.go). A frame the fast path could write only in part keeps it held until the
	// connection's writer goroutine has written the rest: nothing may come between.
	writeMu   sync.Mutex
	head      [wsframe.MaxHeaderSize]byte
	pending   []byte // header bytes read for gorilla and not yet handed over
	remaining int64  // payload bytes of the current frame not yet handed over

	limit inboundLimit
	// framesRead counts the frames read; only the reader adds (see counters).
	framesRead atomic.Int64
	pongsOwed  atomic.Int32 // pings sent and not yet answered: their pongs are not charged

	writeDeadline time.Time // the socket's, as last set through SetWriteDeadline; guarded by writeMu
}

// newFrameConn wraps conn; poll asks for a socket the poller can watch: a *net.TCPConn, or a
// wrapper that reads and writes its bytes unchanged and says so by passing SyscallConn on (the
// server's connection budget counts connections that way). TLS has no SyscallConn.
func newFrameConn(conn net.Conn, poll bool) *frameConn {
	f := &frameConn{Conn: conn}
	if sc, ok := conn.(syscall.Conn); ok && poll {
		f.raw, _ = sc.SyscallConn()
	}
	return f
}

// SetWriteDeadline skips what gorilla does before every write when the deadline has not changed:
// setting a socket deadline takes the runtime's timer lock, a cost paid on every write otherwise.
// Conn.nextWriteDeadline keeps one deadline for many writes.
func (f *frameConn) SetWriteDeadline(t time.Time) error {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	return f.setWriteDeadlineLocked(t)
}

func (f *frameConn) setWriteDeadlineLocked(t time.Time) error {
	if t.Equal(f.writeDeadline) {
		return nil
	}
	f.writeDeadline = t
	return f.Conn.SetWriteDeadline(t)
}

// Write is gorilla's write of one frame (or part of one).
func (f *frameConn) Write(p []byte) (int, error) {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	return f.Conn.Write(p)
}

// tryWrite writes the frame b without waiting, if the socket is free and takes it all (nil).
// Otherwise it returns errWouldBlock and how much it wrote: when that is more than nothing, the
// frame is begun and writeMu stays held for finishWrite to write the rest. Any other error is
// the socket's: the connection is broken.
func (f *frameConn) tryWrite(nw *nowaitWrite, b []byte) (int, error) {
	if !f.writeMu.TryLock() { // a control frame is being written: the goroutine will wait for it
		return 0, errWouldBlock
	}
	n, err := writeNow(f.raw, nw, b)
	if err != errWouldBlock || n == 0 {
		f.writeMu.Unlock()
	}
	return n, err
}

// finishWrite writes the rest of a frame tryWrite could not write whole, waiting until deadline;
// held says whether tryWrite kept writeMu (it had begun the frame).
func (f *frameConn) finishWrite(rest []byte, held bool, deadline time.Time) error {
	if !held {
		f.writeMu.Lock()
	}
	defer f.writeMu.Unlock()
	if err := f.setWriteDeadlineLocked(deadline); err != nil {
		return err
	}
	_, err := f.Conn.Write(rest)
	return err
}

// errWouldBlock is tryWrite's: the frame must be written, or finished, by a write that waits.
var errWouldBlock = errors.New("the socket cannot take the frame now")

// sentPing records a ping written to the client, so that its answer is not charged to the
// client's inbound rate: the server's own heartbeat can never close a client that follows it.
// It runs on the writer.
func (f *frameConn) sentPing() {
	if f.pongsOwed.Load() < maxPongsOwed {
		f.pongsOwed.Add(1)
	}
}

// maxPongsOwed bounds the free pongs of a client that does not answer pings.
const maxPongsOwed = 2

// inboundLimit is a token bucket of frames, refilled from the clock as each frame arrives: no
// timer and no goroutine per connection.
type inboundLimit struct {
	rate   float64 // frames per second; 0: no limit
	burst  float64
	tokens float64
	last   time.Time
}

func newInboundLimit(rate float64, now time.Time) inboundLimit {
	burst := max(2*rate, 1)
	return inboundLimit{rate: rate, burst: burst, tokens: burst, last: now}
}

// take charges one frame; false when the client is over the rate.
func (l *inboundLimit) take(now time.Time) bool {
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// errInboundRate ends the reading of a client that sends frames faster than Options.InboundRate.
var errInboundRate = errors.New("inbound rate exceeded")

// isHeartbeat reports whether the frame is a well-formed ping or pong, which the poller's reader
// answers itself; anything else, malformed control frames included, goes to gorilla (a length < 0
// is one no client may send: gorilla rejects the frame).
func isHeartbeat(h *wsframe.Header) bool {
	return (h.Opcode == wsframe.OpPing || h.Opcode == wsframe.OpPong) && h.Final && h.RSV == 0 && h.Masked &&
		h.Length >= 0 && h.Length <= wsframe.MaxControlPayload
}

// Read is gorilla's read: the rest of the current frame or, at a frame boundary (gorilla reading
// on inside a fragmented message), the next frame's header, waiting for it.
func (f *frameConn) Read(p []byte) (int, error) {
	if len(f.pending) == 0 && f.remaining == 0 {
		if _, err := f.readHeader(0); err != nil {
			return 0, err
		}
	}
	if len(f.pending) > 0 {
		n := copy(p, f.pending)
		f.pending = f.pending[n:]
		return n, nil
	}
	if int64(len(p)) > f.remaining {
		p = p[:f.remaining]
	}
	n, err := f.Conn.Read(p)
	f.remaining -= int64(n)
	return n, err
}

// nextHeader reads the next frame's header for gorilla without waiting for its first byte:
// ok is false when the client has sent nothing more. It must be called at a frame boundary.
func (f *frameConn) nextHeader() (h wsframe.Header, ok bool, err error) {
	n, err := readNow(f.raw, f.head[:2])
	if err != nil || n == 0 {
		return h, false, err
	}
	h, err = f.readHeader(n)
	return h, err == nil, err
}

// readHeader reads a frame header into f.head, whose first have bytes are already there, and
// makes it pending for gorilla. The first two bytes say the opcode, which the inbound rate is
// charged for before the rest is waited for, and how long the header is.
func (f *frameConn) readHeader(have int) (wsframe.Header, error) {
	var h wsframe.Header
	if _, err := io.ReadFull(f.Conn, f.head[have:2]); err != nil {
		return h, err
	}
	f.framesRead.Add(1)
	size, whole := h.Parse(f.head[:2])
	if !f.admit(h.Opcode) {
		return h, errInboundRate
	}
	if !whole {
		if _, err := io.ReadFull(f.Conn, f.head[2:size]); err != nil {
			return h, err
		}
		h.Parse(f.head[:size])
	}
	f.pending, f.remaining = f.head[:size], max(h.Length, 0)
	return h, nil
}

// admit charges a frame to the inbound rate, unless it is a pong owed to the server's ping;
// false when the client is over the rate.
func (f *frameConn) admit(opcode byte) bool {
	if f.limit.rate <= 0 {
		return true
	}
	if opcode == wsframe.OpPong && f.pongsOwed.Load() > 0 {
		f.pongsOwed.Add(-1) // only the reader takes, so this cannot go below 0
		return true
	}
	return f.limit.take(time.Now())
}

// heartbeatPayload reads the (unmasked) payload of a ping or pong whose header nextHeader has
// just read, into buf; the frame is then consumed and gorilla never sees it.
func (f *frameConn) heartbeatPayload(h *wsframe.Header, buf *[wsframe.MaxControlPayload]byte) ([]byte, error) {
	p := buf[:h.Length]
	f.pending, f.remaining = nil, 0
	if _, err := io.ReadFull(f.Conn, p); err != nil {
		return nil, err
	}
	wsframe.Mask(h.Mask, p, 0)
	return p, nil
}
