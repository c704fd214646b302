package sse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pulse-monitoring/pulse/internal/hub"
)

// Stream is an event stream on a taken-over HTTP connection.
type Stream struct {
	conn      net.Conn
	buf       []byte    // the batch being written; kept for the next one while small
	deadline  time.Time // the socket's write deadline as last set
	closeOnce sync.Once
}

// Open answers r with 200 and the event stream's headers, plus extra (CORS), and takes the
// connection over from net/http. The caller must not write to w afterwards.
func Open(w http.ResponseWriter, extra http.Header) (*Stream, error) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	h := http.Header{
		"Content-Type":  {"text/event-stream; charset=utf-8"},
		"Cache-Control": {"no-cache"},
		// nginx buffers a proxied response unless told not to; events must leave at once.
		"X-Accel-Buffering": {"no"},
		"Connection":        {"close"},
	}
	for k, v := range extra {
		h[k] = v
	}
	_ = h.Write(&head)
	head.WriteString("\r\n")
	s := &Stream{conn: conn}
	// net/http's read deadline (server.readTimeout) would end Wait: a stream is read until the
	// client goes away, however long that is.
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if err := brw.Writer.Flush(); err != nil { // nothing is buffered there; a no-op kept for safety
		_ = conn.Close()
		return nil, err
	}
	if err := s.writeAll(head.Bytes(), time.Now().Add(headerTimeout)); err != nil {
		_ = conn.Close()
		return nil, err
	}
	discardBuffered(brw.Reader)
	return s, nil
}

// headerTimeout bounds the write of the response's headers.
const headerTimeout = 10 * time.Second

// discardBuffered drops what the client sent after its request (it should send nothing).
func discardBuffered(r *bufio.Reader) {
	if n := r.Buffered(); n > 0 {
		_, _ = r.Discard(n)
	}
}

// Write implements hub.Stream: a heartbeat comment when asked, then one event per object.
func (s *Stream) Write(batch []*hub.Message, heartbeat bool, deadline time.Time) error {
	b := s.buf[:0]
	if heartbeat {
		b = append(b, heartbeatLine...)
	}
	for _, m := range batch {
		b = appendEvents(b, m.Bytes(), m.Seq())
	}
	return s.flush(b, deadline)
}

// WriteReplay implements hub.Stream: one event per object of the frame.
func (s *Stream) WriteReplay(frame []byte, deadline time.Time) error {
	return s.flush(appendEvents(s.buf[:0], frame, 0), deadline)
}

// End implements hub.Stream: a connection closed for an expired token (4401) ends with
// event: auth and {"code":4401}, so that the client knows to come back with a new token; other
// closes end the response without a word (a client reconnects and resumes).
func (s *Stream) End(code int, deadline time.Time) error {
	if code != hub.CloseTokenExpired {
		return nil
	}
	return s.writeAll([]byte("event: auth\ndata: {\"code\":4401}\n\n"), deadline)
}

// Wait implements hub.Stream: it reads (and discards) until the client closes its side or the
// connection is closed.
func (s *Stream) Wait() {
	var b [64]byte
	for {
		if _, err := s.conn.Read(b[:]); err != nil {
			return
		}
	}
}

// Close implements hub.Stream.
func (s *Stream) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.conn.Close() })
	return err
}

// flush writes b, then keeps its buffer for the next batch unless it grew large.
func (s *Stream) flush(b []byte, deadline time.Time) error {
	err := s.writeAll(b, deadline)
	if cap(b) <= maxKeptBuffer {
		s.buf = b[:0]
	} else {
		s.buf = nil
	}
	return err
}

// maxKeptBuffer is the largest batch buffer an idle stream keeps.
const maxKeptBuffer = 4 << 10

func (s *Stream) writeAll(b []byte, deadline time.Time) error {
	if !deadline.Equal(s.deadline) {
		if err := s.conn.SetWriteDeadline(deadline); err != nil {
			return err
		}
		s.deadline = deadline
	}
	_, err := s.conn.Write(b)
	return err
}

var heartbeatLine = []byte(": heartbeat\n\n")

// appendEvents appends one event per line of data (a message, or several newline-separated ones).
// seq, when not 0, is the id of a message that is one object; otherwise an object's own "seq"
// gives its id (a replay's alarm events and synced).
func appendEvents(b, data []byte, seq int64) []byte {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, newline)
		data = rest
		if len(line) == 0 {
			continue
		}
		id := seq
		if id == 0 {
			id = seqOf(line)
		}
		if id > 0 {
			b = append(b, "id: "...)
			b = strconv.AppendInt(b, id, 10)
			b = append(b, '\n')
		}
		b = append(b, "data: "...)
		b = append(b, line...)
		b = append(b, '\n', '\n')
	}
	return b
}

var newline = []byte{'\n'}

// seqOf is the seq of an alarm event or synced object, 0 for anything else.
func seqOf(object []byte) int64 {
	if !bytes.Contains(object, seqField) {
		return 0 // row data: no decoding
	}
	var head struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}
	if json.Unmarshal(object, &head) != nil || (head.Type != "alarm" && head.Type != "synced") {
		return 0
	}
	return head.Seq
}

var seqField = []byte(`"seq":`)
