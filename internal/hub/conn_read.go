package hub

import (
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"
)

// readLoop reads until the client goes away. Every frame (data, ping or pong) proves the client
// alive and extends the read deadline by PongTimeout.
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	ws, timeout := c.ws, c.manager.opts.PongTimeout
	alive := func() error { return ws.SetReadDeadline(time.Now().Add(timeout)) }
	ws.SetReadLimit(c.manager.opts.MaxMessageSize)
	_ = alive()
	ws.SetPongHandler(func(string) error { return alive() })
	ping := ws.PingHandler()
	ws.SetPingHandler(func(data string) error { _ = alive(); return ping(data) })

	for {
		kind, r, err := ws.NextReader()
		if err != nil {
			c.readFailed(err)
			return
		}
		_ = alive()
		if kind == websocket.BinaryMessage {
			c.Close(websocket.CloseUnsupportedData, "binary frames are not supported: send JSON text")
			continue
		}
		data, err := io.ReadAll(r)
		if err != nil {
			c.readFailed(err)
			return
		}
		c.dispatch(data)
	}
}

// readFailed closes the connection after a read error: politely when the client closed or broke
// a protocol rule (gorilla has already sent the close frame then), at once when the peer is gone.
func (c *Conn) readFailed(err error) {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		c.Close(websocket.CloseNormalClosure, "")
	case errors.Is(err, websocket.ErrReadLimit):
		c.Close(websocket.CloseMessageTooBig, "message too big")
	default:
		c.abort()
	}
}
