package hub

import (
	"io"
	"net"
	"time"
)

// lingerClose half-closes a socket and reads off what the peer still sends before closing it.
// Closing a socket with unread input makes the kernel send a reset, and a reset can make the
// peer discard our close frame before its application reads it.
func lingerClose(conn net.Conn, grace time.Duration) {
	if half, ok := conn.(interface{ CloseWrite() error }); ok { // *net.TCPConn, or a wrapper of one
		if half.CloseWrite() == nil && conn.SetReadDeadline(time.Now().Add(grace)) == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(conn, 1<<20))
		}
	}
	_ = conn.Close()
}
