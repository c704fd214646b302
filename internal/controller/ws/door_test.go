package ws_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestDoorRefusals: invalid paths, plain GETs, foreign origins and a full server are refused
// before the upgrade with a real status and a JSON body.
func TestDoorRefusals(t *testing.T) {
	n := pulsenode.Start(t, nil)
	upgrade := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"},
		"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}
	cases := []struct {
		path   string
		header http.Header
		status int
	}{
		{"/ws/rowdata", upgrade, 400},
		{"/ws/rowdata/meter", upgrade, 400},
		{"/ws/rowdata/meter/m-1", upgrade, 400},
		{"/ws/rowdata/meter/m-1/", upgrade, 400},
		{"/ws/rowdata/meter//bob", upgrade, 400},
		{"/ws/rowdata/meter/m-1/bob/extra", upgrade, 400},
		{"/ws/rowdata/*/m-1/bob", upgrade, 400},
		{"/ws/rowdata/meter/a%01b/bob", upgrade, 400},
		{"/ws/rowdata/meter/%FF%FE/bob", upgrade, 400},
		{"/ws/rowdata/meter/" + strings.Repeat("x", 129) + "/bob", upgrade, 400},
		{"/ws/alarm?since=%zz", upgrade, 400}, // undecodable: not silently dropped (and the full state sent)
		{"/ws/alarm?since=1&x=%zz", upgrade, 400},
		{"/ws/alarm?since=1;x=2", upgrade, 400},
		{"/ws/alarm?since=-1", upgrade, 400},
		{"/ws/alarm?since=1.5", upgrade, 400},
		{"/ws/alarm?since=1&since=2", upgrade, 400},
		{"/ws/rowdata/meter/m-1/bob?x=%zz", upgrade, 400},
		{"/ws/rowdata/meter/m-1", nil, 400},     // plain GET with a bad path: the path is the problem
		{"/ws/rowdata/meter/m-1/bob", nil, 426}, // plain GET, good path
		{"/ws/alarm", nil, 426},
		{"/ws/rowdata/meter/m-1/bob", http.Header{"Origin": {"https://evil.example"}}, 403},
		{"/ws/alarm", http.Header{"Origin": {"https://evil.example"}}, 403},
	}
	for _, tc := range cases {
		h := http.Header{}
		for k, v := range tc.header {
			h[k] = v
		}
		if tc.status == 403 {
			for k, v := range upgrade {
				h[k] = v
			}
		}
		status, env := n.Get(tc.path, h)
		if status != tc.status || env.Code == 0 || env.Message == "" {
			t.Errorf("GET %s: %d %+v, want %d", tc.path, status, env, tc.status)
		}
	}
	if n.RowData.Len()+n.Alarm.Len() != 0 {
		t.Fatal("a refused request was upgraded")
	}

	// Same origin and no origin are welcome by default.
	if _, _, err := n.TryDial("/ws/alarm", http.Header{"Origin": {n.Base}}); err != nil {
		t.Fatalf("same origin refused: %v", err)
	}
	if _, _, err := n.TryDial("/ws/alarm", nil); err != nil {
		t.Fatalf("no origin refused: %v", err)
	}
}

// TestAllowedOrigins: with a list, exactly the listed origins may connect.
func TestAllowedOrigins(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.WS.AllowedOrigins = []string{"https://dash.example.com"} })
	if _, _, err := n.TryDial("/ws/alarm", http.Header{"Origin": {"https://dash.example.com"}}); err != nil {
		t.Fatalf("listed origin refused: %v", err)
	}
	_, resp, err := n.TryDial("/ws/alarm", http.Header{"Origin": {"https://dash.example.com.evil.net"}})
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("unlisted origin: %v", err)
	}
	_, resp, err = n.TryDial("/ws/alarm", http.Header{"Origin": {n.Base}})
	if err == nil || resp.StatusCode != 403 {
		t.Fatalf("same origin is not in the list and must be refused: %v", err)
	}
}

// TestMaxConnections: over ws.maxConnections the upgrade is refused with 503; a closed
// connection frees its slot.
func TestMaxConnections(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.WS.MaxConnections = 2 })
	a := n.Dial("/ws/alarm")
	n.Dial(pulsenode.RowPath("t", "i", "u"))
	_, resp, err := n.TryDial("/ws/alarm", nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("third connection: %v", err)
	}
	_ = a.WS.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	n.WaitConnections(1, 0)
	poll.Eventually(t, func() bool {
		c, _, err := n.TryDial("/ws/alarm", nil)
		if err == nil {
			_ = c.WS.Close()
		}
		return err == nil
	}, "the slot of a closed connection was not freed")
}

// TestInboundFrames: ping and the legacy heartbeat get a pong; bad JSON and unknown types get an
// error object and the connection stays; binary closes with 1003; an oversized frame with 1009.
func TestInboundFrames(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.WS.MaxMessageSize = 512 })
	for _, path := range []string{"/ws/alarm", pulsenode.RowPath("meter", "m-1", "u")} {
		c := n.Dial(path)
		c.Send(`{"type":"ping"}`)
		if o := c.Next(pulsenode.Patience); o.Type != "pong" || o.Ts == 0 {
			t.Fatalf("%s ping: %s", path, o.Raw)
		}
		c.Send(`{"heartbeat":true}`)
		if o := c.Next(pulsenode.Patience); o.Type != "pong" {
			t.Fatalf("%s heartbeat: %s", path, o.Raw)
		}
		for _, bad := range []string{`{not json`, `[]`, `"ping"`, `{"type":"subscribe"}`, `{}`, `{"type":7}`} {
			c.Send(bad)
			if o := c.Next(pulsenode.Patience); o.Type != "error" || o.Code == 0 || o.Message == "" {
				t.Fatalf("%s sent %s, got %s", path, bad, o.Raw)
			}
		}
		c.Send(`{"type":"ping"}`)
		if o := c.Next(pulsenode.Patience); o.Type != "pong" {
			t.Fatalf("%s: connection unusable after errors: %s", path, o.Raw)
		}
	}

	bin := n.Dial("/ws/alarm")
	if err := bin.WS.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if code := bin.CloseCode(pulsenode.Patience); code != websocket.CloseUnsupportedData {
		t.Fatalf("binary frame: close %d, want 1003", code)
	}

	big := n.Dial(pulsenode.RowPath("meter", "m-1", "u"))
	if err := big.WS.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","pad":"`+strings.Repeat("x", 600)+`"}`)); err != nil {
		t.Fatal(err)
	}
	if code := big.CloseCode(pulsenode.Patience); code != websocket.CloseMessageTooBig {
		t.Fatalf("oversized frame: close %d, want 1009", code)
	}
	n.WaitConnections(1, 1) // the two from the loop stay; the closed ones are gone
}

// TestInboundRate: with the default ws.inboundRate (20 frames/s, burst 40), a client that sends
// 200 pings back to back is closed with 1008; a client that sends one message at a time is not.
func TestInboundRate(t *testing.T) {
	n := pulsenode.Start(t, nil)
	calm := n.Dial("/ws/alarm")
	flood := n.Dial(pulsenode.RowPath("meter", "m-1", "u"))
	for range 200 {
		if err := flood.WS.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
			break // closed already
		}
	}
	if code := flood.CloseCode(pulsenode.Patience); code != websocket.ClosePolicyViolation {
		t.Fatalf("flood: close %d, want 1008", code)
	}
	for range 3 {
		calm.Send(`{"type":"ping"}`)
		if o := calm.Next(pulsenode.Patience); o.Type != "pong" {
			t.Fatalf("calm client: %s", o.Raw)
		}
	}
	n.WaitConnections(0, 1)
}

// TestHeartbeats: the server pings every ws.pingInterval, and drops a client that stays silent
// (answers no ping) for ws.pongTimeout while keeping one that answers.
func TestHeartbeats(t *testing.T) {
	// pongTimeout is a real-time deadline: it is long enough that the answering client, which a
	// busy machine may not run for a while, still answers in time, and short enough to wait for.
	const pongTimeout = 5 * time.Second
	n := pulsenode.Start(t, func(c *config.Config) {
		c.WS.PingInterval = 100 * time.Millisecond
		c.WS.PongTimeout = pongTimeout
	})
	alive := n.Dial("/ws/alarm")
	pings := make(chan struct{}, 3)
	ping := alive.WS.PingHandler()
	alive.WS.SetPingHandler(func(s string) error {
		select {
		case pings <- struct{}{}:
		default: // counted enough: never hold up the answer
		}
		return ping(s)
	})
	go func() {
		for {
			if _, _, err := alive.WS.ReadMessage(); err != nil {
				return
			}
		}
	}()

	silent := n.Dial(pulsenode.RowPath("meter", "m-1", "mute"))
	silent.WS.SetPingHandler(func(string) error { return nil }) // never answers

	for range 3 {
		select {
		case <-pings:
		case <-time.After(pulsenode.Patience):
			t.Fatal("no ping from the server")
		}
	}
	// The silent client is dropped; the answering one stays.
	_, err := silent.TryNext(pulsenode.Patience)
	if err == nil || websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("silent client not dropped: %v", err)
	}
	// The answering client, connected before the silent one, has lived as long without a drop.
	if n.Alarm.Len() != 1 {
		t.Fatal("a client answering pings was dropped")
	}
	n.WaitConnections(0, 1)
}

// TestConsolePage: "/" is the embedded console, or, in a binary built without it, the page that
// says how to build it; a file the build does not have is a JSON 404; /favicon.ico is an icon
// (package console tests both cases).
func TestConsolePage(t *testing.T) {
	n := pulsenode.Start(t, nil)
	resp, err := http.Get(n.Base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" ||
		!(strings.Contains(page, "/assets/") || strings.Contains(page, "make build")) {
		t.Fatalf("GET /: %d %s %.200s, want the console or the page saying how to build it", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if status, env := n.Get("/assets/no-such-file.js", nil); status != 404 || env.Code != consts.CodeNotFound.Code() {
		t.Errorf("GET /assets/no-such-file.js: %d %+v, want a JSON 404", status, env)
	}
	if status, env, _ := n.Call(http.MethodPost, "/", nil, "{}"); status != 405 {
		t.Errorf("POST /: %d %+v, want 405", status, env)
	}
	// Browsers ask for /favicon.ico whatever the page links to: the console's icon, not a 404.
	icon, err := http.Get(n.Base + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	icon.Body.Close()
	if icon.StatusCode != 200 || icon.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET /favicon.ico: %d %s, want 200 image/svg+xml", icon.StatusCode, icon.Header.Get("Content-Type"))
	}
}
