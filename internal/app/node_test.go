package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcfg"
	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

func TestMain(m *testing.M) {
	// Package tests do not see manifest/config: give GoFrame a quiet configuration of its own.
	adapter, err := gcfg.NewAdapterContent("server:\n  dumpRouterMap: false\nlogger:\n  level: error\n")
	if err != nil {
		panic(err)
	}
	g.Cfg().SetAdapter(adapter)
	os.Exit(m.Run())
}

var nodeSeq atomic.Int64

// node is a real Pulse server on a free port.
type node struct {
	*app.App
	t    testing.TB
	base string // http://127.0.0.1:port
	// credentials: auth is on, and post, get and dial send what lets them do anything (see
	// withCredentials).
	credentials bool
}

// startNode starts a server with the default configuration changed by edit.
func startNode(t testing.TB, edit func(*config.Config)) *node {
	t.Helper()
	return startNodeWith(t, edit, nil)
}

// startNodeWith is startNode with prepare, when set, run on the app before it starts.
func startNodeWith(t testing.TB, edit func(*config.Config), prepare func(*app.App)) *node {
	t.Helper()
	cfg := config.Default()
	cfg.Database = gdb.ConfigNode{Link: sqliteLink(t.TempDir())} // each node its own alarm store
	if edit != nil {
		edit(&cfg)
	}
	a, err := app.New(context.Background(), fmt.Sprintf("test-%d", nodeSeq.Add(1)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	a.Server.SetDumpRouterMap(false)
	if prepare != nil {
		prepare(a)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	return &node{App: a, t: t, base: fmt.Sprintf("http://127.0.0.1:%d", a.Port())}
}

// post sends body to path and returns the status and decoded {code,message,data}.
func (n *node) post(path string, body any) (int, envelope) {
	n.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			n.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, n.base+path, bytes.NewReader(raw))
	if err != nil {
		n.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	n.withCredentials(req.URL.Path, req.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	return decodeResponse(n.t, resp)
}

// get fetches path with optional headers.
func (n *node) get(path string, header http.Header) (int, envelope) {
	n.t.Helper()
	req, err := http.NewRequest(http.MethodGet, n.base+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	n.withCredentials(path, req.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	return decodeResponse(n.t, resp)
}

type envelope struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func decodeResponse(t testing.TB, resp *http.Response) (int, envelope) {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("status %d: body is not JSON {code,message}: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, env
}

// mustPost posts and fails unless the answer is 200 with code 0.
func (n *node) mustPost(path string, body any) envelope {
	n.t.Helper()
	status, env := n.post(path, body)
	if status != http.StatusOK || env.Code != 0 {
		n.t.Fatalf("POST %s: %d %+v", path, status, env)
	}
	return env
}

// sqliteLink is the database link of an alarm store in dir.
func sqliteLink(dir string) string {
	return "sqlite::@file(" + dir + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"
}

// dial opens a WebSocket to path ("/ws/alarm", "/ws/rowdata/..."). An alarm console's replay is
// read up to and including its synced object, whose seq is kept in client.synced; what the replay
// held is in client.replayed.
func (n *node) dial(path string) *client {
	n.t.Helper()
	return n.dialWith(path, nil)
}

// dialWith is dial with the handshake's headers.
func (n *node) dialWith(path string, header http.Header) *client {
	n.t.Helper()
	c, resp, err := n.tryDial(path, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		n.t.Fatalf("dial %s: %v (HTTP %d)", path, err, status)
	}
	if strings.HasPrefix(path, "/ws/alarm") {
		for {
			o := c.next(patience)
			if o.Type == "synced" {
				c.synced = o.Seq
				break
			}
			c.replayed = append(c.replayed, o)
		}
	}
	return c
}

func (n *node) tryDial(path string, header http.Header) (*client, *http.Response, error) {
	url := "ws" + strings.TrimPrefix(n.base, "http") + path
	if n.credentials {
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
	c := &client{t: n.t, ws: ws}
	n.t.Cleanup(func() { _ = ws.Close() })
	return c, resp, nil
}

// waitConnections waits until the managers hold rowdata and alarm connections.
func (n *node) waitConnections(rowdata, alarm int) {
	n.t.Helper()
	poll.Eventually(n.t, func() bool { return n.RowData.Len() == rowdata && n.Alarm.Len() == alarm },
		"want %d rowdata and %d alarm connections", rowdata, alarm)
}

// client is a test WebSocket client that splits frames into objects.
type client struct {
	t        testing.TB
	ws       *websocket.Conn
	pending  []json.RawMessage
	synced   int64    // alarm consoles: the seq of the synced object
	replayed []object // alarm consoles: what came before synced
}

// object is one received JSON object, with the fields the tests look at.
type object struct {
	Type     string          `json:"type"`
	Seq      int64           `json:"seq"`
	Event    string          `json:"event"`
	Ts       int64           `json:"ts"`
	Code     int             `json:"code"`
	Message  string          `json:"message"`
	Snapshot bool            `json:"snapshot"`
	Data     json.RawMessage `json:"data"`
	raw      json.RawMessage
}

// next returns the next object, failing the test after timeout.
func (c *client) next(timeout time.Duration) object {
	c.t.Helper()
	o, err := c.tryNext(timeout)
	if err != nil {
		c.t.Fatalf("reading: %v", err)
	}
	return o
}

func (c *client) tryNext(timeout time.Duration) (object, error) {
	for len(c.pending) == 0 {
		_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			return object{}, err
		}
		if kind != websocket.TextMessage {
			return object{}, fmt.Errorf("got a non-text frame %d", kind)
		}
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			c.pending = append(c.pending, line)
		}
	}
	raw := c.pending[0]
	c.pending = c.pending[1:]
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return object{}, fmt.Errorf("object %q: %v", raw, err)
	}
	o.raw = raw
	return o, nil
}

// send writes one text frame.
func (c *client) send(text string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		c.t.Fatal(err)
	}
}

// closeCode reads until the server closes and returns the close code it sent.
func (c *client) closeCode(timeout time.Duration) int {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, err := c.tryNext(time.Until(deadline))
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

// patience bounds every wait for something that is due; see poll.Patience.
const patience = poll.Patience
