package hub

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// countingConn counts the bytes read from the socket: what came over the wire.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

// serveCompressing serves m with compression negotiated for clients that offer it, upgrading with
// up (Upgrade: the fast path writes; classicUpgrade: the connection's goroutine writes).
func serveCompressing(t *testing.T, m *Manager, up upgrader) string {
	t.Helper()
	u := websocket.Upgrader{EnableCompression: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws, err := up(&u, w, r); err == nil {
			m.Attach(ws, Key{Type: "t", ID: "i"}, "u", AttachOptions{})
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// dialCompressing dials url offering permessage-deflate, counting the bytes it reads.
func dialCompressing(t *testing.T, url string, read *atomic.Int64) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{EnableCompression: true, NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		return countingConn{c, read}, err
	}}
	ws, resp, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("compression was not negotiated: %q", ext)
	}
	return ws
}

// TestCompressedClientGetsEveryMessage: a client that negotiated permessage-deflate gets every
// message as published, from the fast path (plain frames) and from the connection's goroutine,
// which compresses the frames where it pays: a large frame crosses the wire in far fewer bytes.
func TestCompressedClientGetsEveryMessage(t *testing.T) {
	for name, up := range map[string]upgrader{"fast path": Upgrade, "goroutine": classicUpgrade} {
		t.Run(name, func(t *testing.T) {
			m := NewManager("t", NewBusinessIndex(), Options{})
			defer m.Shutdown(t.Context())
			var read atomic.Int64
			ws := dialCompressing(t, serveCompressing(t, m, up), &read)
			waitLen(t, m, 1)

			small := `{"type":"rowdata","data":{"n":1}}`
			large := `{"type":"rowdata","data":{"pad":"` + strings.Repeat("abcd", 4000) + `"}}`
			for _, msg := range []string{small, large, small} {
				before := read.Load()
				m.Publish(Key{Type: "t", ID: "i"}, NewMessage([]byte(msg)))
				_ = ws.SetReadDeadline(time.Now().Add(patience))
				_, got, err := ws.ReadMessage()
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != msg {
					t.Fatalf("got %.60q (%d bytes), want %.60q (%d bytes)", got, len(got), msg, len(msg))
				}
				wire := read.Load() - before
				if name == "goroutine" && len(msg) >= compressFrom && wire > int64(len(msg))/4 {
					t.Fatalf("a %d-byte message took %d bytes on the wire: not compressed", len(msg), wire)
				}
				if len(msg) < compressFrom && wire < int64(len(msg)) {
					t.Fatalf("a %d-byte message took %d bytes on the wire: compressed below %d bytes", len(msg), wire, compressFrom)
				}
			}
		})
	}
}

// TestCompressionBombIsClosed: a compressed message small on the wire that inflates past
// MaxMessageSize closes the connection with 1009, as a large plain one does.
func TestCompressionBombIsClosed(t *testing.T) {
	m := NewManager("t", NewBusinessIndex(), Options{MaxMessageSize: 4096})
	defer m.Shutdown(t.Context())
	var read atomic.Int64
	ws := dialCompressing(t, serveCompressing(t, m, Upgrade), &read)
	waitLen(t, m, 1)
	ws.EnableWriteCompression(true)
	bomb := `{"type":"ping","pad":"` + strings.Repeat(" ", 1<<20) + `"}` // ~1 KB deflated
	if err := ws.WriteMessage(websocket.TextMessage, []byte(bomb)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(patience))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("%v, want close 1009", err)
			}
			return
		}
	}
}
