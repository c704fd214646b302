package hub

import (
	"io"
	"net"
	"syscall"
	"time"
)

// frameConn is a connection's socket as gorilla/websocket reads it. It hands gorilla one frame at
// a time and never a byte past the end of one, so that between messages nothing waits in
// gorilla's read buffer: the socket alone tells whether the client sent more, and an idle
// connection can be left to the poller with no goroutine of its own (see poller_linux.go).
type frameConn struct {
	*net.TCPConn
	raw       syscall.RawConn
	head      [maxFrameHeader]byte
	pending   []byte // header bytes read for gorilla and not yet handed over
	remaining int64  // payload bytes of the current frame not yet handed over

	writeDeadline time.Time // the socket's; gorilla sets it before every write, under its write lock
}

func newFrameConn(tcp *net.TCPConn) (*frameConn, error) {
	raw, err := tcp.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &frameConn{TCPConn: tcp, raw: raw}, nil
}

// SetWriteDeadline skips what gorilla does before every write when the deadline has not changed:
// setting a socket deadline takes the runtime's timer lock (11 % of the server's core in S2).
// Conn.nextWriteDeadline keeps one deadline for many writes.
func (f *frameConn) SetWriteDeadline(t time.Time) error {
	if t.Equal(f.writeDeadline) {
		return nil
	}
	f.writeDeadline = t
	return f.TCPConn.SetWriteDeadline(t)
}

// maxFrameHeader is the longest frame header: 2 bytes, 8 of extended length, 4 of mask key.
const maxFrameHeader = 14

// frameHeader is what the reader needs of a client frame's header.
type frameHeader struct {
	final  bool
	rsv    byte
	opcode int
	masked bool
	length int64 // < 0 for a length no client may send (gorilla rejects the frame)
	mask   [4]byte
}

// isHeartbeat reports whether the frame is a well-formed ping or pong, which the poller's reader
// answers itself; anything else, malformed control frames included, goes to gorilla.
func (h frameHeader) isHeartbeat() bool {
	return (h.opcode == pingOpcode || h.opcode == pongOpcode) && h.final && h.rsv == 0 && h.masked &&
		h.length >= 0 && h.length <= maxControlPayload
}

const (
	pingOpcode        = 9
	pongOpcode        = 10
	maxControlPayload = 125
)

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
	n, err := f.TCPConn.Read(p)
	f.remaining -= int64(n)
	return n, err
}

// nextHeader reads the next frame's header for gorilla without waiting for its first byte:
// ok is false when the client has sent nothing more. It must be called at a frame boundary.
func (f *frameConn) nextHeader() (h frameHeader, ok bool, err error) {
	n, err := readNow(f.raw, f.head[:2])
	if err != nil || n == 0 {
		return h, false, err
	}
	h, err = f.readHeader(n)
	return h, err == nil, err
}

// readHeader reads a frame header into f.head, whose first have bytes are already there, and
// makes it pending for gorilla.
func (f *frameConn) readHeader(have int) (frameHeader, error) {
	var h frameHeader
	if _, err := io.ReadFull(f.TCPConn, f.head[have:2]); err != nil {
		return h, err
	}
	b0, b1 := f.head[0], f.head[1]
	h.final, h.rsv, h.opcode = b0&0x80 != 0, b0&0x70, int(b0&0x0f)
	h.masked, h.length = b1&0x80 != 0, int64(b1&0x7f)
	size := 2
	switch h.length {
	case 126:
		size += 2
	case 127:
		size += 8
	}
	if h.masked {
		size += 4
	}
	if _, err := io.ReadFull(f.TCPConn, f.head[2:size]); err != nil {
		return h, err
	}
	switch h.length {
	case 126:
		h.length = int64(f.head[2])<<8 | int64(f.head[3])
	case 127:
		h.length = 0
		for _, b := range f.head[2:10] {
			h.length = h.length<<8 | int64(b)
		}
	}
	if h.masked {
		copy(h.mask[:], f.head[size-4:size])
	}
	f.pending, f.remaining = f.head[:size], max(h.length, 0)
	return h, nil
}

// heartbeatPayload reads the (unmasked) payload of a ping or pong whose header nextHeader has
// just read, into buf; the frame is then consumed and gorilla never sees it.
func (f *frameConn) heartbeatPayload(h frameHeader, buf *[maxControlPayload]byte) ([]byte, error) {
	p := buf[:h.length]
	f.pending, f.remaining = nil, 0
	if _, err := io.ReadFull(f.TCPConn, p); err != nil {
		return nil, err
	}
	for i := range p {
		p[i] ^= h.mask[i%4]
	}
	return p, nil
}
