package pulsenode

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// Stream is a test client of a Server-Sent Events endpoint (/sse/...): it reads the response
// into events, and keeps the id of the last one that had one, as a browser's EventSource does.
type Stream struct {
	Resp   *http.Response
	events chan Event
	LastID string
}

// Event is one event of a stream, or a comment (a heartbeat).
type Event struct {
	ID      string // "" when the event had no id: line
	Name    string // the event: line, "" for a message
	Data    string
	Comment string // a comment line's text (the heartbeat); the event is nothing else
	Object  Object // Data decoded, when it is a JSON object
}

// errStreamEnded is what Next returns once the server has ended the response.
var errStreamEnded = errors.New("the stream ended")

// OpenStream requests path ("/sse/alarm", "/sse/rowdata/...") with header (and the node's
// credentials, when it has them). A 200 answer is read as an event stream; any other is returned
// with a nil Stream, its body unread.
func (n *Node) OpenStream(path string, header http.Header) (*Stream, *http.Response) {
	n.T.Helper()
	return n.openStream(path, header, http.DefaultClient, nil)
}

// OpenSlowStream opens path as a stream that reads nothing until the returned function is called,
// over a socket with a small receive buffer: the server's writes soon wait for it.
func (n *Node) OpenSlowStream(path string) (*Stream, func()) {
	n.T.Helper()
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	start := make(chan struct{})
	s, resp := n.openStream(path, nil, client, start)
	if s == nil {
		n.T.Fatalf("GET %s: %d, want an event stream", path, resp.StatusCode)
	}
	return s, func() { close(start) }
}

func (n *Node) openStream(path string, header http.Header, client *http.Client, start chan struct{}) (*Stream, *http.Response) {
	header = header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if n.Credentials {
		n.withCredentials(strings.Replace(path, "/sse/", "/ws/", 1), header)
	}
	req, err := http.NewRequest(http.MethodGet, n.Base+path, nil)
	if err != nil {
		n.T.Fatal(err)
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		n.T.Fatalf("GET %s: %v", path, err)
	}
	n.T.Cleanup(func() { _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		return nil, resp
	}
	s := &Stream{Resp: resp, events: make(chan Event, 1024)}
	go func() {
		if start != nil {
			<-start
		}
		s.read(bufio.NewReader(resp.Body))
	}()
	return s, resp
}

// MustOpenStream is OpenStream failing unless the answer is 200 with an event stream.
func (n *Node) MustOpenStream(path string, header http.Header) *Stream {
	n.T.Helper()
	s, resp := n.OpenStream(path, header)
	if s == nil {
		status, env := decodeResponse(n.T, resp)
		n.T.Fatalf("GET %s: %d %+v, want an event stream", path, status, env)
	}
	return s
}

// read parses the stream (the HTML standard's event-stream format, as Pulse writes it: lines end
// in \n) until it ends, then closes events.
func (s *Stream) read(r *bufio.Reader) {
	defer close(s.events)
	var e Event
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if data != nil {
				e.Data = strings.Join(data, "\n")
				_ = json.Unmarshal([]byte(e.Data), &e.Object)
				e.Object.Raw = json.RawMessage(e.Data)
				s.events <- e
			}
			e, data = Event{}, nil
		case field == "":
			s.events <- Event{Comment: value}
		case field == "data":
			data = append(data, value)
		case field == "id":
			e.ID = value
		case field == "event":
			e.Name = value
		}
	}
}

// TryNext returns the next event or comment, an error when the stream ended or nothing came
// within timeout.
func (s *Stream) TryNext(timeout time.Duration) (Event, error) {
	select {
	case e, ok := <-s.events:
		if !ok {
			return Event{}, errStreamEnded
		}
		if e.ID != "" {
			s.LastID = e.ID
		}
		return e, nil
	case <-time.After(timeout):
		return Event{}, fmt.Errorf("no event within %v", timeout)
	}
}

// NextEvent returns the next event, skipping comments; it fails the test after Patience.
func (s *Stream) NextEvent(t interface {
	Helper()
	Fatalf(string, ...any)
}) Event {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for {
		e, err := s.TryNext(time.Until(deadline))
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if e.Comment == "" {
			return e
		}
	}
}

// Ended waits until the server ends the stream and returns the events after the current one.
func (s *Stream) Ended(timeout time.Duration) ([]Event, error) {
	var rest []Event
	deadline := time.Now().Add(timeout)
	for {
		e, err := s.TryNext(time.Until(deadline))
		if errors.Is(err, errStreamEnded) {
			return rest, nil
		}
		if err != nil {
			return rest, err
		}
		rest = append(rest, e)
	}
}

// Close ends the request.
func (s *Stream) Close() { _ = s.Resp.Body.Close() }
