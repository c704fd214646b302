package pulsenode

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// RowHistory is the data of GET /api/v1/rowdata/history.
type RowHistory struct {
	Series []struct {
		BusinessType, BusinessId string
		Items                    []json.RawMessage
	}
	Units map[string]string
}

// History asks n for the history of typ/id since since (none when negative) with header.
func History(t *testing.T, n *Node, typ, id string, since int64, header http.Header) (int, Envelope, RowHistory) {
	t.Helper()
	q := url.Values{"businessType": {typ}, "businessId": {id}}
	if since >= 0 {
		q.Set("since", fmt.Sprint(since))
	}
	status, env, _ := n.Call(http.MethodGet, "/api/v1/rowdata/history?"+q.Encode(), header, "")
	var h RowHistory
	if status == 200 {
		if err := json.Unmarshal(env.Data, &h); err != nil {
			t.Fatalf("history of %s/%s: data %s: %v", typ, id, env.Data, err)
		}
	}
	return status, env, h
}

// Marker publishes a row-data item to everyone; a client has seen everything published before
// it once it reads the marker.
func (n *Node) Marker(id string) {
	n.T.Helper()
	n.MustPost("/api/v1/rowdata", map[string]any{"data": map[string]string{"marker": id}})
}

// ReceivedUntilMarker returns the "n" values of the row data a client read before the marker.
func (c *Client) ReceivedUntilMarker(id string) []string {
	c.t.Helper()
	var got []string
	for {
		o := c.Next(Patience)
		if o.Type != "rowdata" {
			c.t.Fatalf("unexpected object %s", o.Raw)
		}
		var d struct {
			BusinessType string `json:"businessType"`
			BusinessId   string `json:"businessId"`
			Data         struct {
				N      string `json:"n"`
				Marker string `json:"marker"`
			} `json:"data"`
		}
		if err := json.Unmarshal(o.Data, &d); err != nil {
			c.t.Fatal(err)
		}
		if d.Data.Marker == id {
			return got
		}
		got = append(got, d.Data.N)
	}
}

// RowPath is the dashboard path of typ/id for user, its segments escaped.
func RowPath(typ, id, user string) string {
	return "/ws/rowdata/" + url.PathEscape(typ) + "/" + url.PathEscape(id) + "/" + url.PathEscape(user)
}

// DialSlow opens a WebSocket whose socket has a tiny receive buffer and that the test does not
// read from, so the server's writes back up quickly.
func (n *Node) DialSlow(path string) *Client {
	n.T.Helper()
	d := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}).DialContext}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(n.Base, "http")+path, nil)
	if err != nil {
		n.T.Fatal(err)
	}
	n.T.Cleanup(func() { _ = ws.Close() })
	return &Client{t: n.T, WS: ws}
}

// RowBatch is a body of row-data items of about 4 KB to meter/m-1, numbered from start: large
// enough that a few hundred fill a socket.
func RowBatch(start, count int) string {
	pad := strings.Repeat("p", 4000)
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := start; i < start+count; i++ {
		if i > start {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"businessType":"meter","businessId":"m-1","data":{"n":"%d","pad":%q}}`, i, pad)
	}
	return b.String() + `]}`
}

// PatientClients is the change to a node's configuration for tests of clients that read late:
// such a client stops reading, and so answers no ping, for as long as the test takes to fill its
// socket, however long that is on a busy machine. The write timeout and the pong timeout, which
// end clients that are gone (TestStuckWriteIsEnded, TestHeartbeats), must not end these.
func PatientClients(c *config.Config) {
	c.WS.WriteTimeout, c.WS.PongTimeout = time.Hour, 2*time.Hour
}
