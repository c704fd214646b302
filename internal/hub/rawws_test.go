package hub

import (
	"bufio"
	"errors"
	"io"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// upgradeRequest opens a WebSocket on a test server, for clients that write and read raw frames.
const upgradeRequest = "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
	"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"

// readServerFrame reads one (unmasked) server frame, its payload into buf's storage.
func readServerFrame(r *bufio.Reader, buf []byte) (final bool, opcode int, payload []byte, err error) {
	b, err := r.Peek(2)
	if err != nil {
		return
	}
	var h wsframe.Header
	size, whole := h.Parse(b)
	if !whole {
		if b, err = r.Peek(size); err != nil {
			return
		}
		h.Parse(b)
	}
	if h.Length < 0 {
		return h.Final, int(h.Opcode), nil, errors.New("frame length beyond 2^63")
	}
	_, _ = r.Discard(size)
	payload = append(buf[:0], make([]byte, h.Length)...)
	_, err = io.ReadFull(r, payload)
	return h.Final, int(h.Opcode), payload, err
}
