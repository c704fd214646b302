package app_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestIdleConnectionsMakeRoom: with a budget of 20 TCP connections, idle connections that never
// sent a request are closed oldest first to make room, so /healthz and the ingest API keep
// answering while they flood the server; WebSockets that completed their handshake are never the
// ones closed; when every held connection has completed a request, the new one is closed instead,
// counted, until a connection ends.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	const budget = 20
	n := pulsenode.Start(t, func(c *config.Config) { c.Connections = budget })
	addr := strings.TrimPrefix(n.Base, "http://")
	held := func(want int) {
		t.Helper()
		poll.Eventually(t, func() bool { return n.Connections.Stats().Held == want },
			"want %d connections held: %+v", want, n.Connections.Stats())
	}
	// A client that opens a connection per request: none stays held after its answer.
	perRequest := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: pulsenode.Patience}
	healthz := func() error {
		resp, err := perRequest.Get(n.Base + "/healthz")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return errors.New(resp.Status)
		}
		return nil
	}

	var dashboards []*pulsenode.Client
	for range 5 {
		dashboards = append(dashboards, n.Dial(pulsenode.RowPath("meter", "m-1", "u")))
	}
	held(5)
	var idle []net.Conn
	dialIdle := func(count int) {
		for range count {
			c, err := net.DialTimeout("tcp", addr, pulsenode.Patience)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			idle = append(idle, c)
		}
	}
	dialIdle(budget - 5)
	held(budget)
	dialIdle(10) // each closes the oldest idle one
	poll.Eventually(t, func() bool { return n.Connections.Stats().ClosedIdle == 10 },
		"10 idle connections over the budget: %+v", n.Connections.Stats())
	for i, c := range idle[:10] {
		if !closedByServer(c) {
			t.Fatalf("idle connection %d (of the oldest) is still open", i)
		}
	}
	if s := n.Connections.Stats(); s.Held != budget || s.ClosedFull != 0 {
		t.Fatalf("after the flood: %+v", s)
	}

	if err := healthz(); err != nil {
		t.Fatalf("/healthz with the budget spent by idle connections: %v", err)
	}
	if !closedByServer(idle[10]) {
		t.Fatal("the oldest idle connection left was not closed to make room for /healthz")
	}
	held(budget - 1) // the answered /healthz's connection is closed: the next request finds room
	resp, err := perRequest.Post(n.Base+"/api/v1/rowdata", "application/json",
		strings.NewReader(`{"businessType":"meter","businessId":"m-1","data":{"v":1}}`))
	if err != nil {
		t.Fatalf("ingest with the budget spent by idle connections: %v", err)
	}
	resp.Body.Close()
	for i, d := range dashboards {
		if o := d.Next(pulsenode.Patience); o.Type != "rowdata" {
			t.Fatalf("dashboard %d: %s, want the row data", i, o.Raw)
		}
	}

	for _, c := range idle {
		_ = c.Close()
	}
	held(5)
	for range budget - 5 {
		dashboards = append(dashboards, n.Dial(pulsenode.RowPath("meter", "m-1", "u")))
	}
	held(budget)
	if err := healthz(); err == nil {
		t.Fatal("/healthz answered with every held connection an open WebSocket")
	}
	scrape := httptest.NewRecorder()
	n.Metrics.Handler().ServeHTTP(scrape, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		"pulse_tcp_connections 20\n",
		"pulse_tcp_connections_limit 20\n",
		`pulse_tcp_connections_closed_total{reason="idle"} 11` + "\n",
		`pulse_tcp_connections_closed_total{reason="full"} 1` + "\n",
	} {
		if !strings.Contains(scrape.Body.String(), want) {
			t.Errorf("/metrics has no %q:\n%s", want, grepLines(scrape.Body.String(), "pulse_tcp_"))
		}
	}
	for i, d := range dashboards {
		d.Send(`{"type":"ping"}`)
		for { // the later dashboards get the snapshot first
			o, err := d.TryNext(pulsenode.Patience)
			if err != nil {
				t.Fatalf("dashboard %d was closed to make room: %v", i, err)
			}
			if o.Type == "pong" {
				break
			}
		}
	}

	_ = dashboards[0].WS.Close()
	held(budget - 1)
	if err := healthz(); err != nil {
		t.Fatalf("/healthz once a WebSocket ended: %v", err)
	}
}

// closedByServer reports whether the server closed c: a read ends with EOF (or a reset) before
// the test's patience runs out.
func closedByServer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(pulsenode.Patience))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, io.EOF)
}

// grepLines is the lines of text that contain s.
func grepLines(text, s string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestCountedConnectionsKeepThePoller: a WebSocket accepted through the connection budget's
// listener still leaves its idle time to the epoll poller, with no goroutine of its own: the
// budget's wrapper passes the socket on (Linux only; elsewhere every connection has a reader).
func TestCountedConnectionsKeepThePoller(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the poller is Linux's")
	}
	n := pulsenode.Start(t, func(c *config.Config) { c.Connections = 1000 })
	settle := func() int {
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	warm := n.Dial(pulsenode.RowPath("meter", "*", "warm-up")) // starts the process's one epoll poller
	_ = warm.WS.Close()
	n.WaitConnections(0, 0)
	before := settle()
	const dashboards = 100
	for range dashboards {
		n.Dial(pulsenode.RowPath("meter", "m-1", "u"))
	}
	n.WaitConnections(dashboards, 0)
	var after int
	if !poll.Until(func() bool { after = settle(); return after-before < dashboards/2 }) {
		t.Fatalf("goroutines: %d before, %d with %d idle dashboards: each has its own", before, after, dashboards)
	}
}
