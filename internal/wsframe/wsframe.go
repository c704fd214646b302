// Package wsframe decodes a WebSocket frame header (RFC 6455, 5.2) from bytes in memory. The load
// tool's client reads the server's frames with it, and tests that speak raw WebSocket read frames
// with it. It needs nothing but the standard library, so the engine's tests may use it too.
package wsframe

import "encoding/binary"

// Header is what a frame's header says. Parse checks nothing the RFC forbids: the reader decides
// what to refuse (a server refuses unmasked frames, a client masked ones).
type Header struct {
	Final  bool
	RSV    byte // the reserved bits in place (b0 & 0x70): set only by a negotiated extension
	Opcode byte
	Masked bool  // the masking key is the header's last 4 bytes
	Length int64 // of the payload; negative when a 64-bit length has its top bit set
}

// Parse decodes the header at the start of b into h and returns its size in bytes. When b holds
// less than the whole header, ok is false and size is how long b must be (2 until b holds the
// first two bytes); Final, RSV, Opcode and Masked are set as soon as it does, so a reader can
// refuse a frame before waiting for the rest of its header. (A method that fills the caller's
// Header, not a function that returns one: the load tool's read loop calls it for every frame, and
// a returned Header is copied through memory.)
func (h *Header) Parse(b []byte) (size int, ok bool) {
	*h = Header{}
	if len(b) < 2 {
		return 2, false
	}
	h.Final, h.RSV, h.Opcode = b[0]&0x80 != 0, b[0]&0x70, b[0]&0x0f
	h.Masked = b[1]&0x80 != 0
	size = 2
	switch n := b[1] & 0x7f; n {
	case 126:
		size += 2
	case 127:
		size += 8
	default:
		h.Length = int64(n)
	}
	if h.Masked {
		size += 4
	}
	if len(b) < size {
		return size, false
	}
	switch b[1] & 0x7f {
	case 126:
		h.Length = int64(binary.BigEndian.Uint16(b[2:]))
	case 127:
		h.Length = int64(binary.BigEndian.Uint64(b[2:]))
	}
	return size, true
}
