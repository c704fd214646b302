// Package wsframe is the WebSocket frame-header codec (RFC 6455, 5.2) of Pulse: the engine reads
// its clients' frame headers and writes its own with it, the load tool reads the server's frames
// with it, and tests that speak raw WebSocket read and write frames with it. It works on bytes in
// memory and needs nothing but the standard library.
package wsframe

import "encoding/binary"

// Opcodes (RFC 6455, 5.2).
const (
	OpContinuation byte = 0
	OpText         byte = 1
	OpBinary       byte = 2
	OpClose        byte = 8
	OpPing         byte = 9
	OpPong         byte = 10
)

// MaxHeaderSize is the longest frame header: 2 bytes, 8 of extended length, 4 of masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the longest payload of a control frame (close, ping, pong).
const MaxControlPayload = 125

// Header is what a frame's header says. Parse checks nothing the RFC forbids: the reader decides
// what to refuse (a server refuses unmasked frames, a client masked ones).
type Header struct {
	Final  bool
	RSV    byte // the reserved bits in place (b0 & 0x70): set only by a negotiated extension
	Opcode byte
	Masked bool    // the masking key is the header's last 4 bytes
	Mask   [4]byte // the masking key, when Masked
	Length int64   // of the payload; negative when a 64-bit length has its top bit set
}

// Parse decodes the header at the start of b into h and returns its size in bytes. When b holds
// less than the whole header, ok is false and size is how long b must be (2 until b holds the
// first two bytes); Final, RSV, Opcode and Masked are set as soon as it does, so a reader can
// refuse a frame before waiting for the rest of its header. (A method that fills the caller's
// Header, not a function that returns one: the read loops call it for every frame, and a returned
// Header is copied through memory.)
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
	if h.Masked {
		h.Mask = [4]byte(b[size-4 : size])
	}
	return size, true
}

// Append appends the encoding of h to b: the shortest length form, and the masking key when
// Masked. A negative Length is encoded as its 64-bit pattern (a frame no peer accepts: for tests).
func (h *Header) Append(b []byte) []byte {
	b0 := h.RSV&0x70 | h.Opcode&0x0f
	if h.Final {
		b0 |= 0x80
	}
	var m byte
	if h.Masked {
		m = 0x80
	}
	switch n := h.Length; {
	case n >= 0 && n < 126:
		b = append(b, b0, m|byte(n))
	case n >= 0 && n < 1<<16:
		b = append(b, b0, m|126, byte(n>>8), byte(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, b0, m|127), uint64(n))
	}
	if h.Masked {
		b = append(b, h.Mask[:]...)
	}
	return b
}

// AppendText appends the header of a final, unmasked text frame of length bytes: a server's
// message in one frame, written for every batch a connection sends.
func AppendText(b []byte, length int) []byte {
	switch {
	case length < 126:
		return append(b, 0x80|OpText, byte(length))
	case length < 1<<16:
		return append(b, 0x80|OpText, 126, byte(length>>8), byte(length))
	default:
		return binary.BigEndian.AppendUint64(append(b, 0x80|OpText, 127), uint64(length))
	}
}

// Mask applies (or, again, removes) the masking key to payload, whose first byte is the payload's
// offset'th.
func Mask(key [4]byte, payload []byte, offset int) {
	for i := range payload {
		payload[i] ^= key[(offset+i)%4]
	}
}
