package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// The tool's own WebSocket client, just what a subscriber needs. A general client (gorilla's Dialer
// and Conn) costs the tool more CPU per handshake and per frame than the server spends, and would
// make the tool the limit of what it measures.

const (
	handshakeTimeout = 10 * time.Second
	writeTimeout     = time.Second // for the few control frames a subscriber sends
	readBufferSize   = 64 << 10    // one read takes up to this much of what the server sent

	// wsKey is every handshake's Sec-WebSocket-Key. The key only proves that the server speaks
	// WebSocket, so a fixed one will do, and its accept answer is computed once.
	wsKey         = "cHVsc2UtYmVuY2gta2V5IQ==" // base64 of the 16 bytes "pulse-bench-key!"
	upgradeFields = "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: " + wsKey + "\r\n\r\n"
)

// wsAccept is the Sec-WebSocket-Accept a server must answer wsKey with (RFC 6455, 4.2.2).
var wsAccept = func() string {
	h := sha1.Sum([]byte(wsKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}()

// Frame opcodes, wsframe's.
const (
	opContinuation = wsframe.OpContinuation
	opText         = wsframe.OpText
	opBinary       = wsframe.OpBinary
	opClose        = wsframe.OpClose
	opPing         = wsframe.OpPing
	opPong         = wsframe.OpPong
)

// readPool holds the read buffers. A connection holds one only while it has unread bytes, so the
// thousands that wait for data hold none: no memory per connection to allocate and fault in.
var readPool = sync.Pool{New: func() any { b := make([]byte, readBufferSize); return &b }}

// wsConn is the client end of one WebSocket. One goroutine reads it; any may write its few control
// frames, since a net.Conn write is atomic.
type wsConn struct {
	conn     net.Conn
	raw      syscall.RawConn    // reads: unlike conn.Read, it can wait for data before taking a buffer
	readFunc func(uintptr) bool // c.readSome, made once
	gated    gatedReads
	buf      *[]byte // from readPool while it holds unread bytes, else nil
	r, w     int     // the unread bytes are (*buf)[r:w]
	readErr  error   // of the last readSome
	left     int64   // unread payload bytes of the current data frame
	fin      bool    // the current data frame ends its message
}

// wsDial connects to addr and opens the WebSocket at path, sending token as a bearer token unless
// it is "". The connection's reads go through g (nil: none).
func wsDial(ctx context.Context, d *net.Dialer, addr, path, token string, g *gate) (*wsConn, error) {
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &wsConn{conn: nc, gated: gatedReads{gate: g}}
	c.readFunc = c.readSome
	if c.raw, err = nc.(syscall.Conn).SyscallConn(); err == nil {
		err = c.handshake(addr, path, bearerField(token))
	}
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	return c, nil
}

// handshake sends the upgrade request, with fields (each "\r\nName: value") after Host, and reads
// the answer.
func (c *wsConn) handshake(addr, path, fields string) error {
	req := make([]byte, 0, len("GET  HTTP/1.1\r\nHost: ")+len(path)+len(addr)+len(fields)+len(upgradeFields))
	req = append(append(append(append(req, "GET "...), path...), " HTTP/1.1\r\nHost: "...), addr...)
	req = append(append(req, fields...), upgradeFields...)
	// A request this small fits the new socket's send buffer: only the answer can be late.
	if err := c.conn.SetReadDeadline(time.Now().Add(handshakeTimeout)); err != nil {
		return err
	}
	if _, err := c.conn.Write(req); err != nil {
		return err
	}
	status, err := c.need(len("HTTP/1.1 101 "))
	if err != nil {
		return fmt.Errorf("websocket: reading the handshake answer: %w", err)
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.")) || string(status[8:]) != " 101 " {
		return c.refused()
	}
	var head []byte
	for {
		unread := (*c.buf)[c.r:c.w]
		if i := bytes.Index(unread, []byte("\r\n\r\n")); i >= 0 {
			head, c.r = unread[:i+2], c.r+i+4 // what follows is frames
			break
		}
		if len(unread) == readBufferSize {
			return errors.New("websocket: handshake answer too long")
		}
		if err := c.fill(); err != nil {
			return fmt.Errorf("websocket: reading the handshake answer: %w", err)
		}
	}
	accepted := false
	for len(head) > 0 {
		var line []byte
		line, head, _ = bytes.Cut(head, []byte("\r\n"))
		name, value, _ := bytes.Cut(line, []byte(":")) // the status line first, which has no colon
		if bytes.EqualFold(name, []byte("Sec-WebSocket-Accept")) {
			accepted = string(bytes.TrimSpace(value)) == wsAccept
		}
	}
	if !accepted {
		return errors.New("websocket: bad handshake: wrong or missing Sec-WebSocket-Accept")
	}
	c.release()
	return c.conn.SetReadDeadline(time.Time{})
}

// refused describes a handshake answer other than 101, which net/http reads: status and body.
func (c *wsConn) refused() error {
	br := bufio.NewReader(io.MultiReader(bytes.NewReader((*c.buf)[c.r:c.w]), c.conn))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("websocket: bad handshake answer: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if body = bytes.TrimSpace(body); len(body) == 0 {
		body = []byte(resp.Status)
	}
	return fmt.Errorf("websocket: bad handshake: %s (HTTP %d)", body, resp.StatusCode)
}

// next reads up to the first frame of the next data message, answering the control frames before
// it, and reports whether the message is text. Its first read may wait at the gate.
func (c *wsConn) next() (bool, error) {
	c.gated.atMessage = true
	for {
		op, err := c.frame()
		switch {
		case err != nil:
			return false, err
		case op == opText || op == opBinary:
			return op == opText, nil
		case op == opContinuation:
			return false, errors.New("websocket: continuation frame without a message to continue")
		}
	}
}

// readMessage appends the payload of the message next started to p, or with skip discards it.
func (c *wsConn) readMessage(p []byte, skip bool) ([]byte, error) {
	for {
		for c.left > 0 {
			if c.r == c.w {
				if err := c.fill(); err != nil {
					return p, unexpectedEOF(err)
				}
			}
			n := int(min(c.left, int64(c.w-c.r)))
			if !skip {
				p = append(p, (*c.buf)[c.r:c.r+n]...)
			}
			c.r, c.left = c.r+n, c.left-int64(n)
		}
		if c.fin {
			return p, nil
		}
		op, err := c.frame()
		switch {
		case err != nil:
			return p, err
		case op == opText || op == opBinary:
			return p, errors.New("websocket: new message before the last one ended")
		}
	}
}

// frame reads one frame header and returns its opcode. A data frame's payload is left to read
// (c.left, c.fin); a control frame is read and handled whole: a ping answered with a pong, a pong
// ignored, a close answered with the same code and returned as the *websocket.CloseError gorilla's
// client would report.
func (c *wsConn) frame() (byte, error) {
	if _, err := c.need(2); err != nil {
		return 0, unexpectedEOF(err)
	}
	var h wsframe.Header
	size, whole := h.Parse((*c.buf)[c.r:c.w]) // mostly the whole header at once
	switch {
	case h.RSV != 0:
		return 0, errors.New("websocket: reserved bits set, but no extension was negotiated")
	case h.Masked:
		return 0, errors.New("websocket: masked frame from the server")
	}
	if !whole { // the length follows in 2 or 8 bytes
		b, err := c.need(size)
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		h.Parse(b)
	}
	if h.Length < 0 {
		return 0, errors.New("websocket: frame length beyond 2^63")
	}
	c.r += size
	fin, op, n := h.Final, h.Opcode, h.Length
	switch op {
	case opContinuation, opText, opBinary:
		c.left, c.fin = n, fin
		return op, nil
	case opClose, opPing, opPong:
	default:
		return 0, fmt.Errorf("websocket: unknown opcode %d", op)
	}
	if !fin || n > 125 {
		return 0, errors.New("websocket: control frame fragmented or longer than 125 bytes")
	}
	payload, err := c.need(int(n))
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	c.r += int(n)
	switch op {
	case opPing:
		// A pong that cannot be sent is no reason to stop: a dead connection fails its next read.
		_ = c.writeControl(opPong, payload, time.Now().Add(writeTimeout))
	case opClose:
		ce := &websocket.CloseError{Code: websocket.CloseNoStatusReceived}
		if len(payload) >= 2 {
			ce.Code, ce.Text = int(binary.BigEndian.Uint16(payload)), string(payload[2:])
			payload = payload[:2] // the answer echoes the code
		} else {
			payload = nil
		}
		_ = c.writeControl(opClose, payload, time.Now().Add(writeTimeout))
		return op, ce
	}
	return op, nil
}

// need returns the next n unread bytes, n <= readBufferSize, reading until there are that many.
func (c *wsConn) need(n int) ([]byte, error) {
	for c.w-c.r < n {
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
	return (*c.buf)[c.r : c.r+n], nil
}

// fill reads at least one more byte, after the gate. The caller has made sure there is room: the
// unread bytes are less than a whole buffer.
func (c *wsConn) fill() error {
	switch {
	case c.buf == nil: // readSome takes one
	case c.r == c.w:
		c.release() // wait for data holding no buffer
	case c.r > 0:
		c.w, c.r = copy(*c.buf, (*c.buf)[c.r:c.w]), 0 // a piece of a frame: make room after it
	}
	c.gated.wait()
	if err := c.raw.Read(c.readFunc); err != nil {
		return err
	}
	return c.readErr
}

// readSome is one read(2) into the buffer, taking one from readPool if need be. When there is no
// data yet it puts an empty buffer back and has the runtime wait until there is (returns false).
func (c *wsConn) readSome(fd uintptr) bool {
	if c.buf == nil {
		c.buf = readPool.Get().(*[]byte)
	}
	for {
		n, err := syscall.Read(int(fd), (*c.buf)[c.w:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			c.release()
			return false
		case err != nil: // as net.Conn would report it
			c.readErr = &net.OpError{Op: "read", Net: "tcp", Source: c.conn.LocalAddr(), Addr: c.conn.RemoteAddr(),
				Err: os.NewSyscallError("read", err)}
		case n == 0:
			c.readErr = io.EOF
		default:
			c.w, c.readErr = c.w+n, nil
		}
		return true
	}
}

// release puts the buffer back in readPool when it holds no unread bytes.
func (c *wsConn) release() {
	if c.buf != nil && c.r == c.w {
		readPool.Put(c.buf)
		c.buf, c.r, c.w = nil, 0, 0
	}
}

// unexpectedEOF reports the end of the stream before or inside a frame as gorilla's client does.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return &websocket.CloseError{Code: websocket.CloseAbnormalClosure, Text: io.ErrUnexpectedEOF.Error()}
	}
	return err
}

// writeControl sends a control frame, masked with a random key as every client frame must be.
func (c *wsConn) writeControl(op byte, payload []byte, deadline time.Time) error {
	var f [6 + wsframe.MaxControlPayload]byte
	h := wsframe.Header{Final: true, Opcode: op, Masked: true, Length: int64(len(payload))}
	binary.LittleEndian.PutUint32(h.Mask[:], rand.Uint32())
	b := append(h.Append(f[:0]), payload...)
	wsframe.Mask(h.Mask, b[len(b)-len(payload):], 0)
	if err := c.conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	_, err := c.conn.Write(b)
	return err
}

// close says goodbye (close 1000) and closes the connection, which ends the reader's wait.
func (c *wsConn) close(deadline time.Time) {
	_ = c.writeControl(opClose, []byte{0x03, 0xe8}, deadline)
	_ = c.conn.Close()
}
