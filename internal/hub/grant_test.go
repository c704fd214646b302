package hub

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// serveGranted runs m behind a real server; each connection is attached with the grant grantFor
// makes from its request, and reported on attached.
func serveGranted(t *testing.T, m *Manager, grantFor func(r *http.Request) *Grant, attached chan<- *Conn) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := Upgrade(&up, w, r)
		if err != nil {
			return
		}
		m.Attach(ws, Key{}, "", AttachOptions{Grant: grantFor(r)})
		if attached != nil {
			m.each(func(c *Conn) {
				if c.ws == ws {
					attached <- c
				}
			})
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// readText reads the next text message, failing after patience.
func readText(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(patience))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// TestScopedConsolesReceiveTheirKeysOnly: an Everyone router hands each publish to the
// connections whose scope covers its key, and to every connection attached without a grant.
func TestScopedConsolesReceiveTheirKeysOnly(t *testing.T) {
	m := NewManager("alarm", NewEveryone(), Options{Overflow: CloseSlow})
	end := model.Pattern{Type: "end", ID: "x"} // every scope covers the last publish, which ends the reads
	scope := func(ps ...model.Pattern) *Grant { return &Grant{Scope: model.ScopeOf(append(ps, end))} }
	grants := map[string]*Grant{
		"meter": scope(model.Pattern{Type: "meter", ID: model.Wildcard}),
		"pump7": scope(model.Pattern{Type: "pump", ID: "p-7"}),
		"none":  scope(),
		"open":  nil,
	}
	url := serveGranted(t, m, func(r *http.Request) *Grant { return grants[r.URL.Query().Get("who")] }, nil)
	clients := map[string]*websocket.Conn{}
	for who := range grants {
		clients[who] = dial(t, url+"?who="+who)
	}
	poll.Eventually(t, func() bool { return m.Len() == len(grants) }, "the manager never held the consoles")

	for i, k := range []Key{{"meter", "m-1"}, {"pump", "p-8"}, {"pump", "p-7"}, {"meter", "m-2"}, {"end", "x"}} {
		m.Publish(k, NewSeqMessage([]byte(k.Type+"/"+k.ID), int64(i+1)))
	}
	want := map[string]string{
		"meter": "meter/m-1 meter/m-2 end/x",
		"pump7": "pump/p-7 end/x",
		"none":  "end/x",
		"open":  "meter/m-1 pump/p-8 pump/p-7 meter/m-2 end/x",
	}
	for who, ws := range clients {
		var got []string
		for len(got) == 0 || got[len(got)-1] != "end/x" {
			got = append(got, strings.Split(readText(t, ws), "\n")...)
		}
		if g := strings.Join(got, " "); g != want[who] {
			t.Errorf("%s received %s, want %s", who, g, want[who])
		}
	}
}

// TestGrantExpiry: a connection is closed with 4401 once its grant expires, not before; one
// without expiry stays open.
func TestGrantExpiry(t *testing.T) {
	m := NewManager("rowdata", NewEveryone(), Options{Overflow: DropOldest})
	deadline := time.Now().Add(200 * time.Millisecond)
	url := serveGranted(t, m, func(r *http.Request) *Grant {
		if r.URL.Query().Get("who") == "never" {
			return &Grant{}
		}
		return &Grant{Expires: deadline}
	}, nil)
	soon, never := dial(t, url+"?who=soon"), dial(t, url+"?who=never")
	if code := closeCode(t, soon); code != CloseTokenExpired {
		t.Errorf("closed with %d, want %d", code, CloseTokenExpired)
	}
	if now := time.Now(); now.Before(deadline) {
		t.Errorf("closed %v before its deadline", deadline.Sub(now))
	}
	if err := never.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, never); !strings.Contains(got, "pong") {
		t.Errorf("the connection without expiry: got %s, want a pong", got)
	}
}

// TestExpiriesOrder: the shared heap expires connections in deadline order, as each deadline
// passes; a refresh moves a connection, a zero deadline or teardown takes it out.
func TestExpiriesOrder(t *testing.T) {
	base := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) // far ahead: the real timer never fires
	now := base
	var expired []string
	e := &expiries{now: func() time.Time { return now }}
	e.expire = func(c *Conn) { expired = append(expired, c.user) }
	conn := func(user string) *Conn { return &Conn{user: user, expiryIndex: -1} }
	a, b, c, d, gone := conn("a"), conn("b"), conn("c"), conn("d"), conn("gone")
	e.schedule(c, base.Add(3*time.Second))
	e.schedule(a, base.Add(1*time.Second))
	e.schedule(b, base.Add(2*time.Second))
	e.schedule(d, base.Add(2*time.Second))
	e.schedule(gone, base.Add(time.Second))
	e.remove(gone)                          // torn down
	e.schedule(gone, base.Add(time.Second)) // a late refresh must not bring it back
	e.schedule(b, base.Add(10*time.Second)) // refreshed
	e.schedule(d, time.Time{})              // refreshed with a token without exp

	step := func(to time.Duration, want string) {
		t.Helper()
		now = base.Add(to)
		expired = nil
		e.fire()
		if got := strings.Join(expired, " "); got != want {
			t.Errorf("at +%v: expired %q, want %q", to, got, want)
		}
	}
	step(500*time.Millisecond, "")
	step(time.Second, "a")
	step(2500*time.Millisecond, "")
	step(5*time.Second, "c")
	step(10*time.Second, "b")
	step(time.Hour, "")
	if len(e.due) != 0 {
		t.Errorf("%d left in the heap", len(e.due))
	}
}

// closeCode reads until the connection closes and returns the close code.
func closeCode(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(patience))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("read: %v (not a close frame)", err)
		}
	}
}
