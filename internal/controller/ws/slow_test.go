package ws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestSlowDashboard: a dashboard that stops reading delays neither ingest nor the other
// dashboards; with rowdata.slowPolicy dropOldest its full queue drops the oldest items, counts
// them, and keeps the freshest.
func TestSlowDashboard(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) {
		pulsenode.PatientClients(c)
		c.WS.SendQueue, c.RowData.SlowPolicy = 64, config.SlowDropOldest
	})
	slow := n.DialSlow(pulsenode.RowPath("meter", "m-1", "slow"))
	fast := n.Dial(pulsenode.RowPath("meter", "m-1", "fast"))
	n.WaitConnections(2, 0)

	// Batches no larger than a queue, each read by the fast dashboard before the next: it must get
	// every item while the slow one's socket fills, then its queue, until the server drops items
	// for it. Two batches more, so that its queue holds items of several batches.
	const batch, extraBatches, most = 50, 2, 8000 // most: the fill never takes this many (32 MB)
	total, extra := 0, extraBatches
	for extra > 0 {
		if total >= most {
			t.Fatalf("no drops counted after %d items for a client that read nothing", total)
		}
		n.MustPost("/api/v1/rowdata", pulsenode.RowBatch(total, batch))
		for i := total; i < total+batch; i++ {
			if got := rowN(t, fast.Next(pulsenode.Patience)); got != fmt.Sprint(i) {
				t.Fatalf("fast dashboard got item %s, want %d", got, i)
			}
		}
		total += batch
		if n.RowData.Stats().Dropped > 0 {
			extra--
		}
	}

	t.Logf("drops began within %d items", total-extraBatches*batch)

	// The slow dashboard now reads: increasing numbers ending with the freshest item, not all.
	last, got := -1, 0
	for last != total-1 {
		var k int
		_, _ = fmt.Sscan(rowN(t, slow.Next(pulsenode.Patience)), &k)
		if k <= last {
			t.Fatalf("slow dashboard got %d after %d", k, last)
		}
		last, got = k, got+1
	}
	if got >= total {
		t.Fatalf("the slow dashboard got all %d items: nothing was dropped", total)
	}
	if n.RowData.Len() != 2 {
		t.Fatal("a slow dashboard must not be disconnected")
	}
}

// TestSlowDashboardCoalesces: with the default rowdata.slowPolicy (coalesce), a dashboard of
// meter/* that stops reading while many meters keep publishing, and then reads again, gets the
// latest value of every meter, never a value older than one it already got for the same meter,
// and a notice that values were left out (which meets its schema); the metrics count them. The other dashboard gets
// every item.
func TestSlowDashboardCoalesces(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { pulsenode.PatientClients(c); c.WS.SendQueue = 16 })
	slow := n.DialSlow(pulsenode.RowPath("meter", "*", "slow"))
	fast := n.Dial(pulsenode.RowPath("meter", "*", "fast"))
	n.WaitConnections(2, 0)

	const meters, most = 40, 200 // most: rounds; the fill never takes this many (32 MB)
	pad := strings.Repeat("p", 4000)
	round := 0
	for ; n.RowData.Stats().Coalesced < 5*meters; round++ { // several rounds coalesced
		if round == most {
			t.Fatalf("nothing coalesced after %d rounds for a dashboard that read nothing", round)
		}
		var b strings.Builder
		b.WriteString(`{"items":[`)
		for m := range meters {
			if m > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"businessType":"meter","businessId":"m-%d","data":{"n":"%d","pad":%q}}`, m, round, pad)
		}
		n.MustPost("/api/v1/rowdata", b.String()+`]}`)
		for m := range meters {
			if id, v := meterValue(t, fast.Next(pulsenode.Patience)); id != fmt.Sprintf("m-%d", m) || v != round {
				t.Fatalf("fast dashboard got %s=%d, want m-%d=%d", id, v, m, round)
			}
		}
	}
	last := round - 1

	schemas := messageSchemas(t, "server", "coalesced", "rowdata")
	latest, got, notices := map[string]int{}, 0, 0
	for done := 0; done < meters; {
		o := slow.Next(pulsenode.Patience)
		if err := conforms(t, schemas, o.Raw); err != nil {
			t.Errorf("%.200s does not meet its schema: %v", o.Raw, err)
		}
		if o.Type == "coalesced" {
			notices++
			continue
		}
		id, v := meterValue(t, o)
		if prev, ok := latest[id]; ok && v <= prev {
			t.Fatalf("%s: %d after %d: a stale value after a newer one", id, v, prev)
		}
		latest[id], got = v, got+1
		if v == last {
			done++
		}
	}
	if got >= round*meters || notices == 0 {
		t.Fatalf("the slow dashboard got %d of %d items and %d notices: nothing was coalesced", got, round*meters, notices)
	}
	if n.RowData.Len() != 2 {
		t.Fatal("a slow dashboard must not be disconnected")
	}
	if v := n.Scrape().Value(t, "pulse_messages_coalesced_total", "endpoint=rowdata"); v < 5*meters {
		t.Fatalf("pulse_messages_coalesced_total{endpoint=rowdata} = %v", v)
	}
}

// meterValue is the business and value of a row item of TestSlowDashboardCoalesces.
func meterValue(t *testing.T, o pulsenode.Object) (id string, v int) {
	t.Helper()
	var d struct {
		ID   string `json:"businessId"`
		Data struct {
			N string `json:"n"`
		} `json:"data"`
	}
	if o.Type != "rowdata" || json.Unmarshal(o.Data, &d) != nil {
		t.Fatalf("not row data: %s", o.Raw)
	}
	_, _ = fmt.Sscan(d.Data.N, &v)
	return d.ID, v
}

// TestSlowConsole: an alarm console that cannot keep up is closed with 1013 after a gap-free
// prefix of the alarms; the other console receives every alarm; the slow one, back with since,
// gets the rest without a gap or a duplicate.
func TestSlowConsole(t *testing.T) {
	// The close frame waits behind what fills the slow console's socket until it reads.
	n := pulsenode.Start(t, func(c *config.Config) { pulsenode.PatientClients(c); c.WS.SendQueue = 32 })
	slow := n.DialSlow("/ws/alarm")
	fast := n.Dial("/ws/alarm")
	n.WaitConnections(0, 2)

	// Alarms of 8 KB (near the content limit: fewer alarms fill the socket) until the slow
	// console's socket and queue are full and it is closed.
	const batch, most = 16, 4000 // most: the fill never takes this many (32 MB)
	content := strings.Repeat("c", 8000)
	total := 0
	for n.Alarm.Stats().SlowClosed == 0 {
		if total >= most {
			t.Fatalf("a console that read nothing of %d alarms was not closed", total)
		}
		var b strings.Builder
		b.WriteString(`{"items":[`)
		for i := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"businessType":"meter","businessId":"m-%d","content":%q}`, total+i, content)
		}
		b.WriteString(`]}`)
		n.MustPost("/api/v1/alarm", b.String())
		for i := total; i < total+batch; i++ {
			if o := fast.Next(pulsenode.Patience); o.Seq != int64(i+1) {
				t.Fatalf("fast console got seq %d, want %d", o.Seq, i+1)
			}
		}
		total += batch
	}
	t.Logf("the slow console was closed within %d alarms", total)
	if s := n.Alarm.Stats().SlowClosed; s != 1 {
		t.Fatalf("%d consoles closed as slow, want 1", s)
	}
	if v := n.Scrape().Value(t, "pulse_slow_closes_total", "endpoint=alarm"); v != 1 {
		t.Fatalf("pulse_slow_closes_total{endpoint=alarm} = %v, want 1", v)
	}

	// Reading now: synced, alarms 1, 2, 3... without a gap, then close 1013.
	if o := slow.Next(pulsenode.Patience); o.Type != "synced" || o.Seq != 0 {
		t.Fatalf("slow console began with %s, want synced 0", o.Raw)
	}
	var want int64 = 1
	for {
		o, err := slow.TryNext(pulsenode.Patience)
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
	if want-1 >= int64(total) {
		t.Fatal("the slow console was not slow: it received everything")
	}

	back := n.Dial(fmt.Sprintf("/ws/alarm?since=%d", want-1))
	for _, o := range back.Replayed {
		if o.Seq != want {
			t.Fatalf("resumed console got seq %d, want %d", o.Seq, want)
		}
		want++
	}
	if want-1 != int64(total) || back.Synced != int64(total) {
		t.Fatalf("resumed console got up to %d, synced %d; want %d", want-1, back.Synced, total)
	}
}

// TestShutdownFlushesAndCloses: Shutdown delivers what is queued, closes every WebSocket with
// 1001 and leaves no connection behind.
func TestShutdownFlushesAndCloses(t *testing.T) {
	n := pulsenode.Start(t, nil)
	dash := n.Dial(pulsenode.RowPath("meter", "m-1", "u"))
	console := n.Dial("/ws/alarm")
	n.WaitConnections(1, 1)
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"n":"last"}}`)
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","title":"last"}`)

	ctx, cancel := context.WithTimeout(context.Background(), pulsenode.Patience)
	defer cancel()
	if err := n.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if o := dash.Next(pulsenode.Patience); rowN(t, o) != "last" {
		t.Fatalf("dashboard: %s", o.Raw)
	}
	if o := console.Next(pulsenode.Patience); o.Type != "alarm" {
		t.Fatalf("console: %s", o.Raw)
	}
	for _, c := range []*pulsenode.Client{dash, console} {
		if code := c.CloseCode(pulsenode.Patience); code != websocket.CloseGoingAway {
			t.Fatalf("close %d, want 1001", code)
		}
	}
	if _, _, err := n.TryDial("/ws/alarm", nil); err == nil {
		t.Fatal("a connection was accepted after shutdown")
	}
}

func rowN(t *testing.T, o pulsenode.Object) string {
	t.Helper()
	var d struct {
		Data struct {
			N string `json:"n"`
		} `json:"data"`
	}
	if o.Type != "rowdata" || json.Unmarshal(o.Data, &d) != nil {
		t.Fatalf("not row data: %s", o.Raw)
	}
	return d.Data.N
}
