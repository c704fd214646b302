package loadgen

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawFrame encodes an unmasked server frame; ext is the length's encoding: 0 (7 bits), 2 or 8 bytes.
func rawFrame(fin bool, op byte, payload string, ext int) []byte {
	b := []byte{op, 0}
	if fin {
		b[0] |= 0x80
	}
	switch ext {
	case 0:
		b[1] = byte(len(payload))
	case 2:
		b[1] = 126
		b = binary.BigEndian.AppendUint16(b, uint16(len(payload)))
	case 8:
		b[1] = 127
		b = binary.BigEndian.AppendUint64(b, uint64(len(payload)))
	}
	return append(b, payload...)
}

// serveWS runs a gorilla server for one WebSocket and returns its address.
func serveWS(t testing.TB, handle func(*websocket.Conn)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		handle(ws)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func dialTest(t testing.TB, addr string) *wsConn {
	t.Helper()
	c, err := wsDial(context.Background(), &net.Dialer{}, addr, "/ws", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.conn.Close() })
	return c
}

// TestWSReadsFrames: a real gorilla server sends messages in every length encoding, fragmented and
// trickling in byte by byte with a ping in the middle, a binary message, a pong and a close 1001.
// The reader returns the text messages whole, answers the ping and the close, and ends with the
// close as gorilla's client reports it.
func TestWSReadsFrames(t *testing.T) {
	long, huge := strings.Repeat("m", 300), strings.Repeat("h", readBufferSize+5000)
	type answers struct {
		pongs []string
		err   error // what reading the client's answer to the close gave
	}
	got := make(chan answers, 1)
	addr := serveWS(t, func(ws *websocket.Conn) {
		var a answers
		ws.SetPongHandler(func(p string) error { a.pongs = append(a.pongs, p); return nil })
		nc := ws.NetConn()
		write := func(b []byte) { _, _ = nc.Write(b) }
		write(rawFrame(true, opText, "one", 0))
		write(rawFrame(true, opBinary, "\x01\x02", 0))
		var trickle []byte
		trickle = append(trickle, rawFrame(false, opText, "fr", 0)...)
		trickle = append(trickle, rawFrame(true, opPing, "p1", 0)...)
		trickle = append(trickle, rawFrame(false, opContinuation, "ag", 2)...)
		trickle = append(trickle, rawFrame(true, opContinuation, "ment", 8)...)
		for _, b := range trickle {
			write([]byte{b})
			time.Sleep(time.Millisecond)
		}
		write(append(rawFrame(true, opText, long, 2), rawFrame(true, opPong, "x", 0)...))
		write(rawFrame(true, opText, huge, 8))
		write(rawFrame(true, opClose, "\x03\xe9bye", 0))
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, _, a.err = ws.ReadMessage() // handles the pong, then meets the close
		got <- a
	})

	c := dialTest(t, addr)
	var texts []string
	var err error
	for {
		var text bool
		if text, err = c.next(); err != nil {
			break
		}
		var msg []byte
		if msg, err = c.readMessage(nil, !text); err != nil {
			break
		}
		if text {
			texts = append(texts, string(msg))
		}
	}
	want := []string{"one", "fragment", long, huge}
	if len(texts) != len(want) {
		t.Fatalf("got %d messages, want %d", len(texts), len(want))
	}
	for i := range want {
		if texts[i] != want[i] {
			t.Errorf("message %d: got %d bytes %.20q…, want %d bytes %.20q…", i, len(texts[i]), texts[i], len(want[i]), want[i])
		}
	}
	if err == nil || err.Error() != "websocket: close 1001 (going away): bye" {
		t.Errorf("reader ended with %v", err)
	}
	a := <-got
	if len(a.pongs) != 1 || a.pongs[0] != "p1" {
		t.Errorf("server got pongs %q, want [p1]", a.pongs)
	}
	var ce *websocket.CloseError
	if !errors.As(a.err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("server got %v, want the close 1001 echoed", a.err)
	}
}

// TestWSBurst: a burst larger than the read buffer, of frames whose size does not divide it, so that
// a frame header is cut at the buffer's end; every message arrives in order.
func TestWSBurst(t *testing.T) {
	const n = 20000 // 5-byte frames: 100 KB, and 64 KB = 13107 frames and 1 byte
	written, checked := make(chan struct{}), make(chan struct{})
	addr := serveWS(t, func(ws *websocket.Conn) {
		var burst []byte
		for i := range n {
			burst = append(burst, rawFrame(true, opText, strconv.Itoa(100+i%900), 0)...)
		}
		<-checked // a burst written at once could arrive with the handshake's answer
		_, _ = ws.NetConn().Write(burst)
		close(written)
		_, _, _ = ws.ReadMessage() // until the client goes
	})
	c := dialTest(t, addr)
	if c.buf != nil {
		t.Error("a connection with nothing to read holds a read buffer")
	}
	close(checked)
	<-written
	time.Sleep(50 * time.Millisecond) // let the burst land: the first read takes a full buffer
	for i := range n {
		text, err := c.next()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		msg, err := c.readMessage(nil, false)
		if err != nil || !text || string(msg) != strconv.Itoa(100+i%900) {
			t.Fatalf("message %d: %q, %v", i, msg, err)
		}
	}
}

// TestWSCloseSaysGoodbye: close sends a masked close 1000 that a real server accepts.
func TestWSCloseSaysGoodbye(t *testing.T) {
	got := make(chan error, 1)
	addr := serveWS(t, func(ws *websocket.Conn) {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, _, err := ws.ReadMessage()
		got <- err
	})
	c := dialTest(t, addr)
	c.close(time.Now().Add(time.Second))
	if err := <-got; !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("server got %v, want close 1000", err)
	}
	if _, err := c.next(); err == nil {
		t.Fatal("read after close succeeded")
	}
}

// TestWSEndOfStream: a server that drops the connection ends the reader with gorilla's abnormal closure.
func TestWSEndOfStream(t *testing.T) {
	addr := serveWS(t, func(ws *websocket.Conn) { _, _ = ws.NetConn().Write([]byte{0x81, 5, 'h'}) })
	c := dialTest(t, addr)
	_, err := c.next()
	if err == nil {
		_, err = c.readMessage(nil, false)
	}
	if err == nil || err.Error() != "websocket: close 1006 (abnormal closure): unexpected EOF" {
		t.Fatalf("got %v", err)
	}
}

// TestWSHandshakeRefused: an answer other than 101 is an error with its status and body; a 101 with
// the wrong Sec-WebSocket-Accept is an error too.
func TestWSHandshakeRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wrong-accept" {
			nc, brw, _ := w.(http.Hijacker).Hijack()
			defer nc.Close()
			_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
				"Connection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBvbmU=\r\n\r\n")
			_ = brw.Flush()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"code":61,"message":"too many connections"}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	_, err := wsDial(context.Background(), &net.Dialer{}, addr, "/ws", "", nil)
	if err == nil || !strings.Contains(err.Error(), "too many connections") || !strings.Contains(err.Error(), "(HTTP 503)") {
		t.Errorf("refused: got %v", err)
	}
	_, err = wsDial(context.Background(), &net.Dialer{}, addr, "/wrong-accept", "", nil)
	if err == nil || !strings.Contains(err.Error(), "Sec-WebSocket-Accept") {
		t.Errorf("wrong accept: got %v", err)
	}
}

// BenchmarkWSRead reads what a subscriber reads most: short text messages, some with a 16-bit
// length, arriving faster than it reads them. Per op: one message.
func BenchmarkWSRead(b *testing.B) {
	var burst []byte
	for i := range 1024 {
		payload := `{"type":"rowdata","ts":1732250000123,"data":{"seq":1,"pad":"xxxxxxxxxxxx"}}`
		ext := 0
		if i%8 == 0 {
			payload, ext = strings.Repeat("x", 300), 2
		}
		burst = append(burst, rawFrame(true, opText, payload, ext)...)
	}
	addr := serveWS(b, func(ws *websocket.Conn) {
		for {
			if _, err := ws.NetConn().Write(burst); err != nil {
				return
			}
		}
	})
	c := dialTest(b, addr)
	b.SetBytes(int64(len(burst) / 1024))
	b.ReportAllocs()
	var msg []byte
	for b.Loop() {
		if _, err := c.next(); err != nil {
			b.Fatal(err)
		}
		var err error
		if msg, err = c.readMessage(msg[:0], false); err != nil {
			b.Fatal(err)
		}
	}
}
