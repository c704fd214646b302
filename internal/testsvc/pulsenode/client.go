package pulsenode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// Dial opens a WebSocket to path ("/ws/alarm", "/ws/rowdata/..."). An alarm console's replay is
// read up to and including its synced object, whose seq is kept in Client.Synced; what the replay
// held is in Client.Replayed.
func (n *Node) Dial(path string) *Client {
	n.T.Helper()
	return n.DialWith(path, nil)
}

// DialWith is Dial with the handshake's headers.
func (n *Node) DialWith(path string, header http.Header) *Client {
	n.T.Helper()
	c, resp, err := n.TryDial(path, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		n.T.Fatalf("dial %s: %v (HTTP %d)", path, err, status)
	}
	if strings.HasPrefix(path, "/ws/alarm") {
		for {
			o := c.Next(Patience)
			if o.Type == "synced" {
				c.Synced = o.Seq
				break
			}
			c.Replayed = append(c.Replayed, o)
		}
	}
	return c
}

// TryDial is DialWith returning the handshake's error and answer instead of failing, and reading no
// replay.
func (n *Node) TryDial(path string, header http.Header) (*Client, *http.Response, error) {
	url := "ws" + strings.TrimPrefix(n.Base, "http") + path
	if n.Credentials {
		header = header.Clone()
		if header == nil {
			header = http.Header{}
		}
		n.withCredentials(path, header)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		return nil, resp, err
	}
	c := &Client{t: n.T, WS: ws}
	n.T.Cleanup(func() { _ = ws.Close() })
	return c, resp, nil
}

// WaitConnections waits until the managers hold rowdata and alarm connections.
func (n *Node) WaitConnections(rowdata, alarm int) {
	n.T.Helper()
	poll.Eventually(n.T, func() bool { return n.RowData.Len() == rowdata && n.Alarm.Len() == alarm },
		"want %d rowdata and %d alarm connections", rowdata, alarm)
}

// Client is a test WebSocket client that splits frames into objects.
type Client struct {
	t        testing.TB
	WS       *websocket.Conn
	pending  []json.RawMessage
	Synced   int64    // alarm consoles: the seq of the synced object
	Replayed []Object // alarm consoles: what came before synced
}

// Object is one received JSON object, with the fields the tests look at.
type Object struct {
	Type     string          `json:"type"`
	Seq      int64           `json:"seq"`
	Event    string          `json:"event"`
	Ts       int64           `json:"ts"`
	Code     int             `json:"code"`
	Message  string          `json:"message"`
	Snapshot bool            `json:"snapshot"`
	Data     json.RawMessage `json:"data"`
	Raw      json.RawMessage
}

// Next returns the next object, failing the test after timeout.
func (c *Client) Next(timeout time.Duration) Object {
	c.t.Helper()
	o, err := c.TryNext(timeout)
	if err != nil {
		c.t.Fatalf("reading: %v", err)
	}
	return o
}

// TryNext is Next returning the error instead of failing.
func (c *Client) TryNext(timeout time.Duration) (Object, error) {
	for len(c.pending) == 0 {
		_ = c.WS.SetReadDeadline(time.Now().Add(timeout))
		kind, data, err := c.WS.ReadMessage()
		if err != nil {
			return Object{}, err
		}
		if kind != websocket.TextMessage {
			return Object{}, fmt.Errorf("got a non-text frame %d", kind)
		}
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			c.pending = append(c.pending, line)
		}
	}
	raw := c.pending[0]
	c.pending = c.pending[1:]
	var o Object
	if err := json.Unmarshal(raw, &o); err != nil {
		return Object{}, fmt.Errorf("object %q: %v", raw, err)
	}
	o.Raw = raw
	return o, nil
}

// Send writes one text frame.
func (c *Client) Send(text string) {
	c.t.Helper()
	if err := c.WS.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		c.t.Fatal(err)
	}
}

// CloseCode reads until the server closes and returns the close code it sent.
func (c *Client) CloseCode(timeout time.Duration) int {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, err := c.TryNext(time.Until(deadline))
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if ok := asCloseError(err, &ce); ok {
			return ce.Code
		}
		c.t.Fatalf("want a close frame, got %v", err)
	}
}

func asCloseError(err error, target **websocket.CloseError) bool {
	ce, ok := err.(*websocket.CloseError)
	if ok {
		*target = ce
	}
	return ok
}
