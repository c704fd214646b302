package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"pulse/internal/config"
)

// dialSlow opens a WebSocket whose socket has a tiny receive buffer and that the test does not
// read from, so the server's writes back up quickly.
func (n *node) dialSlow(path string) *client {
	n.t.Helper()
	d := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}).DialContext}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(n.base, "http")+path, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { _ = ws.Close() })
	return &client{t: n.t, ws: ws}
}

// rowBatch is a body of row-data items of about 1 KB to meter/m-1, numbered from start.
func rowBatch(start, count int) string {
	pad := strings.Repeat("p", 1000)
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

// TestSlowDashboard: a dashboard that stops reading delays neither ingest nor the other
// dashboards; its full queue drops the oldest items, counts them, and keeps the freshest.
func TestSlowDashboard(t *testing.T) {
	n := startNode(t, func(c *config.Config) { c.WS.SendQueue = 64 })
	slow := n.dialSlow(rowPath("meter", "m-1", "slow"))
	fast := n.dial(rowPath("meter", "m-1", "fast"))
	n.waitConnections(2, 0)

	// Batches no larger than a queue, each read by the fast dashboard before the next: it must
	// get every item while the slow one's socket and queue are full.
	const total, batch = 6000, 50
	for start := 0; start < total; start += batch {
		n.mustPost("/api/v1/rowdata", rowBatch(start, batch))
		for i := start; i < start+batch; i++ {
			if got := rowN(t, fast.next(10*time.Second)); got != fmt.Sprint(i) {
				t.Fatalf("fast dashboard got item %s, want %d", got, i)
			}
		}
	}
	if d := n.RowData.Stats().Dropped; d == 0 {
		t.Fatal("no drops counted for a client that read nothing")
	}

	// The slow dashboard now reads: increasing numbers ending with the freshest item.
	last := -1
	for last != total-1 {
		var k int
		_, _ = fmt.Sscan(rowN(t, slow.next(10*time.Second)), &k)
		if k <= last {
			t.Fatalf("slow dashboard got %d after %d", k, last)
		}
		last = k
	}
	if n.RowData.Len() != 2 {
		t.Fatal("a slow dashboard must not be disconnected")
	}
}

// TestSlowConsole: an alarm console that cannot keep up is closed with 1013 after a gap-free
// prefix of the alarms; the other console receives every alarm; the slow one, back with since,
// gets the rest without a gap or a duplicate.
func TestSlowConsole(t *testing.T) {
	// The close frame waits behind what fills the slow console's socket until it reads, after
	// every alarm is stored: give that write time enough even on a slow (-race) run.
	n := startNode(t, func(c *config.Config) { c.WS.SendQueue, c.WS.WriteTimeout = 32, time.Minute })
	slow := n.dialSlow("/ws/alarm")
	fast := n.dial("/ws/alarm")
	n.waitConnections(0, 2)

	const total, batch = 3008, 16 // total is a multiple of batch
	content := strings.Repeat("c", 4000)
	for start := 0; start < total; start += batch {
		var b strings.Builder
		b.WriteString(`{"items":[`)
		for i := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"businessId":"m-%d","content":%q}`, start+i, content)
		}
		b.WriteString(`]}`)
		n.mustPost("/api/v1/alarm", b.String())
		for i := start; i < start+batch; i++ {
			if o := fast.next(10 * time.Second); o.Seq != int64(i+1) {
				t.Fatalf("fast console got seq %d, want %d", o.Seq, i+1)
			}
		}
	}
	eventually(t, func() bool { return n.Alarm.Stats().SlowClosed == 1 }, "slow console not closed")

	// Reading now: synced, alarms 1, 2, 3... without a gap, then close 1013.
	if o := slow.next(10 * time.Second); o.Type != "synced" || o.Seq != 0 {
		t.Fatalf("slow console began with %s, want synced 0", o.raw)
	}
	var want int64 = 1
	for {
		o, err := slow.tryNext(10 * time.Second)
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
				t.Fatalf("after %d alarms: %v, want close 1013", want-1, err)
			}
			break
		}
		if o.Seq != want {
			t.Fatalf("slow console got seq %d, want %d: alarms must never be skipped", o.Seq, want)
		}
		want++
	}
	if want-1 >= total {
		t.Fatal("the slow console was not slow: it received everything")
	}

	back := n.dial(fmt.Sprintf("/ws/alarm?since=%d", want-1))
	for _, o := range back.replayed {
		if o.Seq != want {
			t.Fatalf("resumed console got seq %d, want %d", o.Seq, want)
		}
		want++
	}
	if want-1 != total || back.synced != total {
		t.Fatalf("resumed console got up to %d, synced %d; want %d", want-1, back.synced, total)
	}
}

// TestShutdownFlushesAndCloses: Shutdown delivers what is queued, closes every WebSocket with
// 1001 and leaves no connection behind.
func TestShutdownFlushesAndCloses(t *testing.T) {
	n := startNode(t, nil)
	dash := n.dial(rowPath("meter", "m-1", "u"))
	console := n.dial("/ws/alarm")
	n.waitConnections(1, 1)
	n.mustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"n":"last"}}`)
	n.mustPost("/api/v1/alarm", `{"businessId":"m-1","title":"last"}`)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if o := dash.next(time.Second); rowN(t, o) != "last" {
		t.Fatalf("dashboard: %s", o.raw)
	}
	if o := console.next(time.Second); o.Type != "alarm" {
		t.Fatalf("console: %s", o.raw)
	}
	for _, c := range []*client{dash, console} {
		if code := c.closeCode(5 * time.Second); code != websocket.CloseGoingAway {
			t.Fatalf("close %d, want 1001", code)
		}
	}
	if _, _, err := n.tryDial("/ws/alarm", nil); err == nil {
		t.Fatal("a connection was accepted after shutdown")
	}
}

func rowN(t *testing.T, o object) string {
	t.Helper()
	var d struct {
		Data struct {
			N string `json:"n"`
		} `json:"data"`
	}
	if o.Type != "rowdata" || json.Unmarshal(o.Data, &d) != nil {
		t.Fatalf("not row data: %s", o.raw)
	}
	return d.Data.N
}
