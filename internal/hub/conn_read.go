package hub

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// startReading prepares the read side and hands the connection to the poller or, where there is
// none (or the socket is not a plain TCP one), to a goroutine that reads until the client goes away.
func (c *Conn) startReading() {
	ws := c.ws
	ws.SetReadLimit(c.manager.opts.MaxMessageSize)
	c.alive()
	ws.SetPongHandler(func(string) error { c.alive(); return nil })
	ping := ws.PingHandler()
	ws.SetPingHandler(func(data string) error { c.alive(); return ping(data) })
	if c.frames != nil {
		c.frames.limit = newInboundLimit(c.manager.opts.InboundRate, time.Now())
	}
	if c.poller != nil && c.poller.watch(c) == nil {
		return
	}
	go c.readLoop() // no poller, or it refused the socket: forgetting c there later is harmless
}

// alive records that the client was heard from. The pinger drops a connection not heard from for
// PongTimeout, and a read waiting for the rest of a frame gives up after as long, or at the
// current message's deadline if that comes first.
func (c *Conn) alive() {
	now := time.Now()
	c.heard.Store(now.UnixNano())
	deadline := now.Add(c.manager.opts.PongTimeout)
	if !c.messageDeadline.IsZero() && c.messageDeadline.Before(deadline) {
		deadline = c.messageDeadline
	}
	_ = c.ws.SetReadDeadline(deadline)
}

// readLoop reads until the client goes away (connections without the poller).
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	for c.readMessage() {
	}
}

// readReady runs when the poller saw input on an idle connection's socket. It reads every frame
// there is, answering pings and pongs itself and handing every other frame to gorilla, then gives
// the socket back to the poller. A read error or a close ends the reader for good.
func (c *Conn) readReady() {
	var payload [wsframe.MaxControlPayload]byte
	for {
		h, ok, err := c.frames.nextHeader()
		if err != nil {
			c.readFailed(err)
			break
		}
		if !ok {
			if c.poller.rearm(c) {
				return
			}
			break // the socket is closed
		}
		c.alive()
		if !isHeartbeat(&h) {
			if !c.readMessage() {
				break
			}
			continue
		}
		data, err := c.frames.heartbeatPayload(&h, &payload)
		if err != nil {
			c.readFailed(err)
			break
		}
		if h.Opcode == wsframe.OpPing { // as gorilla's own ping handler does: a failed pong is the writer's to notice
			_ = c.ws.WriteControl(websocket.PongMessage, data, time.Now().Add(c.manager.opts.WriteTimeout))
		}
	}
	close(c.readerDone)
}

// readMessage reads one message and dispatches it; false when reading must stop.
func (c *Conn) readMessage() bool {
	kind, r, err := c.ws.NextReader()
	if err != nil {
		c.readFailed(err)
		return false
	}
	c.messageDeadline = time.Now().Add(c.manager.opts.MessageTimeout) // from the message's first frame
	c.alive()
	// At most one byte over the limit: gorilla's read limit counts the bytes on the wire, which a
	// compressed message may inflate far beyond.
	data, err := io.ReadAll(io.LimitReader(r, c.manager.opts.MaxMessageSize+1))
	if err == nil && int64(len(data)) > c.manager.opts.MaxMessageSize {
		err = websocket.ErrReadLimit
	}
	late := isTimeout(err) && !time.Now().Before(c.messageDeadline)
	c.messageDeadline = time.Time{}
	if late {
		c.Close(websocket.ClosePolicyViolation, fmt.Sprintf("message not complete within %v", c.manager.opts.MessageTimeout))
		return false
	}
	if err != nil {
		c.readFailed(err)
		return false
	}
	c.alive() // the socket's deadline goes back from the message's to PongTimeout
	if kind == websocket.BinaryMessage {
		c.Close(websocket.CloseUnsupportedData, "binary frames are not supported: send JSON text")
		return true
	}
	c.dispatch(data)
	return true
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
	case errors.Is(err, errInboundRate):
		c.Close(websocket.ClosePolicyViolation, fmt.Sprintf("inbound rate over %g frames/s", c.manager.opts.InboundRate))
	default:
		c.abort()
	}
}

// isTimeout reports whether err is a read that hit the socket's deadline.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
