package pulsenode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcfg"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// nodeSeq names the nodes: GoFrame keeps one server per name for the process, so each node of a
// test run gets its own (go test -count=N).
var nodeSeq atomic.Int64

// init gives GoFrame a configuration of its own before any test runs (as a TestMain would, and
// before anything creates GoFrame's logger): package tests do not see manifest/config, and a node's
// router map and INFO lines would bury the test's output.
func init() {
	adapter, err := gcfg.NewAdapterContent("server:\n  dumpRouterMap: false\nlogger:\n  level: error\n")
	if err != nil {
		panic(err)
	}
	g.Cfg().SetAdapter(adapter)
}

// Node is a real Pulse server on a free port.
type Node struct {
	*app.App
	T    testing.TB
	Base string // http://127.0.0.1:port
	// Credentials: auth is on, and Post, Get and Dial send what lets them do anything (see
	// withCredentials).
	Credentials bool
}

// Start starts a server with the default configuration changed by edit.
func Start(t testing.TB, edit func(*config.Config)) *Node {
	t.Helper()
	return StartWith(t, edit, nil)
}

// StartWith is Start with prepare, when set, run on the app before it starts.
func StartWith(t testing.TB, edit func(*config.Config), prepare func(*app.App)) *Node {
	t.Helper()
	cfg := config.Default()
	cfg.Database = gdb.ConfigNode{Link: SQLiteLink(t.TempDir())} // each node its own alarm store
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
		ctx, cancel := context.WithTimeout(context.Background(), Patience)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	return &Node{App: a, T: t, Base: fmt.Sprintf("http://127.0.0.1:%d", a.Port())}
}

// Addr is the node's host:port.
func (n *Node) Addr() string { return strings.TrimPrefix(n.Base, "http://") }

// Post sends body to path and returns the status and decoded {code,message,data}.
func (n *Node) Post(path string, body any) (int, Envelope) {
	n.T.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			n.T.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, n.Base+path, bytes.NewReader(raw))
	if err != nil {
		n.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	n.withCredentials(req.URL.Path, req.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.T.Fatal(err)
	}
	return decodeResponse(n.T, resp)
}

// Get fetches path with optional headers.
func (n *Node) Get(path string, header http.Header) (int, Envelope) {
	n.T.Helper()
	req, err := http.NewRequest(http.MethodGet, n.Base+path, nil)
	if err != nil {
		n.T.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	n.withCredentials(path, req.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.T.Fatal(err)
	}
	return decodeResponse(n.T, resp)
}

// Envelope is the {code,message,data} of every HTTP answer.
type Envelope struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func decodeResponse(t testing.TB, resp *http.Response) (int, Envelope) {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("status %d: body is not JSON {code,message}: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, env
}

// MustPost posts and fails unless the answer is 200 with code 0.
func (n *Node) MustPost(path string, body any) Envelope {
	n.T.Helper()
	status, env := n.Post(path, body)
	if status != http.StatusOK || env.Code != 0 {
		n.T.Fatalf("POST %s: %d %+v", path, status, env)
	}
	return env
}

// SQLiteLink is the database link of an alarm store in dir.
func SQLiteLink(dir string) string {
	return "sqlite::@file(" + dir + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"
}

// Patience bounds every wait for something that is due; see poll.Patience.
const Patience = poll.Patience

// Request sends one HTTP request and returns the status, the decoded {code,message,data}, the
// headers and the raw body.
func (n *Node) Request(method, path, contentType string, body []byte, header http.Header) (int, Envelope, http.Header, string) {
	n.T.Helper()
	req, err := http.NewRequest(method, n.Base+path, bytes.NewReader(body))
	if err != nil {
		n.T.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env Envelope
	if resp.StatusCode != http.StatusNoContent && method != http.MethodHead {
		env = decodeEnvelope(n.T, resp.StatusCode, raw)
	}
	return resp.StatusCode, env, resp.Header, string(raw)
}

func decodeEnvelope(t testing.TB, status int, raw []byte) Envelope {
	t.Helper()
	resp := &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(raw))}
	_, env := decodeResponse(t, resp)
	return env
}
