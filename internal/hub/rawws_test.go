package hub

import (
	"bufio"
	"encoding/binary"
	"io"
)

// upgradeRequest opens a WebSocket on a test server, for clients that write and read raw frames.
const upgradeRequest = "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
	"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"

// readServerFrame reads one (unmasked) server frame, its payload into buf's storage.
func readServerFrame(r *bufio.Reader, buf []byte) (final bool, opcode int, payload []byte, err error) {
	var hdr [8]byte
	if _, err = io.ReadFull(r, hdr[:2]); err != nil {
		return
	}
	final, opcode = hdr[0]&0x80 != 0, int(hdr[0]&0x0f)
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		if _, err = io.ReadFull(r, hdr[:2]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(hdr[:2]))
	case 127:
		if _, err = io.ReadFull(r, hdr[:8]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(hdr[:8])
	}
	payload = append(buf[:0], make([]byte, n)...)
	_, err = io.ReadFull(r, payload)
	return
}
