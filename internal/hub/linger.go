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
	if tcp, ok := conn.(*net.TCPConn); ok {
		if tcp.CloseWrite() == nil && tcp.SetReadDeadline(time.Now().Add(grace)) == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(tcp, 1<<20))
		}
	}
	_ = conn.Close()
}
