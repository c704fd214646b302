package hub

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// Upgrade is up.Upgrade for a connection that a Manager will serve. Where the poller runs (Linux)
// it gives gorilla the socket wrapped in a frameConn, so that the connection, once idle, keeps no
// goroutine.
func Upgrade(up *websocket.Upgrader, w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	if sharedPoller() != nil {
		w = framingWriter{w}
	}
	return up.Upgrade(w, r, nil)
}

// framingWriter hijacks the connection with its TCP socket wrapped in a frameConn.
type framingWriter struct{ http.ResponseWriter }

func (w framingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if tcp, ok := conn.(*net.TCPConn); ok { // not TLS, say: that one is read the classic way
		if fc, err := newFrameConn(tcp); err == nil {
			return fc, brw, nil
		}
	}
	return conn, brw, nil
}

func (w framingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
