package hub

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// Upgrade is up.Upgrade for a connection that a Manager will serve. It gives gorilla the socket
// wrapped in a frameConn, which counts the client's frames against Options.InboundRate and, where
// the poller runs (Linux, a plain TCP socket), lets an idle connection keep no goroutine.
func Upgrade(up *websocket.Upgrader, w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	return upgrade(up, w, r, sharedPoller() != nil)
}

// upgrade upgrades with the socket wrapped; poll says whether the poller may read it.
func upgrade(up *websocket.Upgrader, w http.ResponseWriter, r *http.Request, poll bool) (*websocket.Conn, error) {
	return up.Upgrade(framingWriter{w, poll}, r, nil)
}

// framingWriter hijacks the connection wrapped in a frameConn.
type framingWriter struct {
	http.ResponseWriter
	poll bool
}

func (w framingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return newFrameConn(conn, w.poll), brw, nil
}

func (w framingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
