package metrics_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestMetrics: after real traffic (dashboards and a console connected, row data and alarms
// ingested, refused upgrades, a protocol close, a slow dashboard whose oldest items are dropped)
// every family of /metrics is there and has moved, in the Prometheus text format.
func TestMetrics(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) {
		pulsenode.PatientClients(c)
		c.WS.SendQueue = 64
		c.WS.MaxConnections = 4
	})
	before := n.Scrape()
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "pulse_bus_up"} {
		if before[name] == nil {
			t.Errorf("/metrics has no %s", name)
		}
	}
	if v := before.Value(t, "pulse_deliveries_total", "endpoint=rowdata"); v != 0 {
		t.Fatalf("a new node has delivered %v messages", v)
	}
	// Every close code the server sends is there at 0 before any close, so that the first close of
	// each kind shows in rate(): a series born at 1 has no increase to see.
	for _, endpoint := range []string{"rowdata", "alarm"} {
		for _, code := range []string{"1000", "1001", "1003", "1006", "1008", "1009", "1011", "1013", "4401"} {
			if v, ok := before.Find("pulse_closes_total", "endpoint="+endpoint, "code="+code); !ok || v != 0 {
				t.Errorf("a new node: pulse_closes_total{endpoint=%q,code=%q} = %v (exposed: %v), want 0", endpoint, code, v, ok)
			}
		}
	}

	// An alarm before the console connects, so that its replay has an event to send.
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"m-9","level":"major","title":"hot"}`)
	console := n.Dial("/ws/alarm")
	if len(console.Replayed) == 0 {
		t.Fatal("the console's replay held no alarm")
	}
	dashboard := n.Dial(pulsenode.RowPath("meter", "m-1", "alice"))
	slow := n.DialSlow(pulsenode.RowPath("meter", "m-1", "bob"))
	n.WaitConnections(2, 1)

	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"v":1}}`)
	dashboard.Next(pulsenode.Patience)
	dashboard.Send(`{"type":"ping"}`)
	dashboard.Next(pulsenode.Patience) // the pong
	if status, _ := n.Post("/api/v1/rowdata", `{"businessType":`); status != http.StatusBadRequest {
		t.Fatalf("a body that is not JSON: %d, want 400", status)
	}

	// Refused upgrades: a plain GET, a path the door does not serve, one connection too many.
	if status, _ := n.Get("/ws/alarm", nil); status != http.StatusUpgradeRequired {
		t.Fatalf("plain GET /ws/alarm: %d, want 426", status)
	}
	if status, _, _ := n.Refused("/ws/rowdata/meter", nil); status != http.StatusBadRequest {
		t.Fatalf("/ws/rowdata/meter: %d, want 400", status)
	}
	protocol := n.Dial(pulsenode.RowPath("meter", "m-2", "carol")) // the 4th of ws.maxConnections
	if status, _, _ := n.Refused(pulsenode.RowPath("meter", "m-3", "dave"), nil); status != http.StatusServiceUnavailable {
		t.Fatalf("a 5th connection: %d, want 503", status)
	}
	// A protocol close: a binary frame is answered with 1003.
	if err := protocol.WS.WriteMessage(2, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if code := protocol.CloseCode(pulsenode.Patience); code != 1003 {
		t.Fatalf("a binary frame: closed with %d, want 1003", code)
	}

	// The slow dashboard reads nothing: batches fill its socket, then its queue, until newer
	// items of its business replace the queued ones (rowdata.slowPolicy coalesce, the default).
	for total := 0; n.RowData.Stats().Coalesced == 0; total += 50 {
		if total >= 8000 {
			t.Fatalf("nothing coalesced after %d items for a dashboard that read nothing", total)
		}
		n.MustPost("/api/v1/rowdata", pulsenode.RowBatch(total, 50))
	}
	_ = slow

	s := n.Scrape()
	expect := []struct {
		name   string
		labels []string
		least  float64
	}{
		{"pulse_connections", []string{"endpoint=rowdata"}, 2},
		{"pulse_connections", []string{"endpoint=alarm"}, 1},
		{"pulse_publishes_total", []string{"endpoint=rowdata"}, 2},
		{"pulse_deliveries_total", []string{"endpoint=rowdata"}, 4},
		{"pulse_deliveries_total", []string{"endpoint=alarm"}, 0},
		{"pulse_frames_written_total", []string{"endpoint=rowdata"}, 2},
		{"pulse_frames_written_total", []string{"endpoint=alarm"}, 2}, // the replay and synced
		{"pulse_frames_read_total", []string{"endpoint=rowdata"}, 2},  // the ping, the binary frame
		{"pulse_messages_dropped_total", []string{"endpoint=rowdata"}, 0},
		{"pulse_messages_coalesced_total", []string{"endpoint=rowdata"}, 1},
		{"pulse_messages_coalesced_total", []string{"endpoint=alarm"}, 0},
		{"pulse_slow_closes_total", []string{"endpoint=alarm"}, 0},
		{"pulse_closes_total", []string{"endpoint=rowdata", "code=1003"}, 1},
		{"pulse_snapshot_keys", nil, 1},
		{"pulse_rowdata_memory_bytes", nil, 1},
		{"pulse_rowdata_memory_limit_bytes", nil, 256 << 20},
		{"pulse_rowdata_types", nil, 1},
		{"pulse_rowdata_evictions_total", nil, 0},
		{"pulse_rowdata_points", nil, 1},
		{"pulse_rowdata_history_trims_total", nil, 0},
		{"pulse_upgrades_refused_total", []string{"reason=not_websocket"}, 1},
		{"pulse_upgrades_refused_total", []string{"reason=path"}, 1},
		{"pulse_upgrades_refused_total", []string{"reason=limit"}, 1},
		{"pulse_upgrades_refused_total", []string{"reason=origin"}, 0},
		{"pulse_ingest_requests_total", []string{"endpoint=rowdata", "status=200", "key=none"}, 2},
		{"pulse_ingest_requests_total", []string{"endpoint=rowdata", "status=400", "key=none"}, 1},
		{"pulse_ingest_requests_total", []string{"endpoint=alarm", "status=200", "key=none"}, 1},
		{"pulse_ingest_items_accepted_total", []string{"kind=rowdata"}, 51},
		{"pulse_ingest_items_accepted_total", []string{"kind=alarm"}, 1},
		{"pulse_alarm_commit_duration_seconds", nil, 1},
		{"pulse_alarm_commit_batch_size", nil, 1},
		{"pulse_alarm_commit_failures_total", nil, 0},
		{"pulse_alarm_replays_total", nil, 1},
		{"pulse_alarm_replayed_events_total", nil, 1},
		{"pulse_alarm_store_writes_failing", nil, 0},
		{"pulse_bus_publishes_total", nil, 3},
		{"pulse_bus_published_events_total", nil, 52},
		{"pulse_bus_publish_errors_total", nil, 0},
		{"pulse_bus_resubscriptions_total", nil, 0},
		{"pulse_bus_up", nil, 1},
		{"pulse_alarm_store_connections", []string{"state=in_use"}, 1}, // the write connection
		{"pulse_alarm_store_connections", []string{"state=idle"}, 0},
		{"pulse_sqlite_memory_bytes", nil, 1},
		{"pulse_sqlite_memory_limit_bytes", nil, 0},
	}
	for _, e := range expect {
		if v := s.Value(t, e.name, e.labels...); v < e.least {
			t.Errorf("%s%v = %v, want at least %v", e.name, e.labels, v, e.least)
		}
	}
	if v := s.Value(t, "pulse_alarm_store_writes_failing"); v != 0 {
		t.Errorf("pulse_alarm_store_writes_failing = %v on a healthy store", v)
	}
	// A live alarm reaches the console: deliveries move on the alarm endpoint too.
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"m-9","level":"major","title":"hotter"}`)
	console.Next(pulsenode.Patience)
	n.Moved("pulse_deliveries_total", 1, "endpoint=alarm")
	// A client's normal close is counted under 1000, and the frames of a connection that ends stay
	// counted: a counter never goes back.
	open := n.Scrape()
	_ = dashboard.WS.WriteMessage(8, []byte{0x03, 0xe8})
	n.Moved("pulse_closes_total", 1, "endpoint=rowdata", "code=1000")
	closed := n.Scrape()
	for _, name := range []string{"pulse_frames_written_total", "pulse_frames_read_total"} {
		if was, is := open.Value(t, name, "endpoint=rowdata"), closed.Value(t, name, "endpoint=rowdata"); is < was {
			t.Errorf("%s went from %v to %v when a connection ended", name, was, is)
		}
	}

	// No label value comes from a request: no user, business or id.
	for v := range n.Scrape().LabelValues() {
		for _, user := range []string{"alice", "bob", "carol", "dave", "meter", "m-1", "m-9", "over", "hot"} {
			if strings.Contains(v, user) {
				t.Errorf("label value %q holds %q, which came from a request", v, user)
			}
		}
	}
}

// TestMetricsWithAuth: with auth on, /metrics needs no credentials; ingest requests are counted by
// status and by the configured name of their key (never the key), and refused upgrades by reason.
func TestMetricsWithAuth(t *testing.T) {
	n := pulsenode.StartAuth(t, func(c *config.Config) { c.WS.AllowedOrigins = []string{"https://console.example"} })
	row := `{"businessType":"meter","businessId":"m-1","data":{"v":1}}`
	for _, want := range []struct {
		header http.Header
		status int
	}{
		{nil, http.StatusUnauthorized},
		{http.Header{"X-Api-Key": {"not-a-key"}}, http.StatusUnauthorized},
		{http.Header{"X-Api-Key": {pulsenode.IngestKey("meter-rows")}}, http.StatusOK},
		{http.Header{"X-Api-Key": {pulsenode.IngestKey("all-alarms")}}, http.StatusForbidden},
		{http.Header{"X-Api-Key": {pulsenode.IngestKey("slow-meter-1")}}, http.StatusOK},
		{http.Header{"X-Api-Key": {pulsenode.IngestKey("slow-meter-1")}}, http.StatusTooManyRequests},
	} {
		if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", want.header, row); status != want.status {
			t.Fatalf("POST /api/v1/rowdata with %v: %d %+v, want %d", want.header, status, env, want.status)
		}
	}
	if status, _, _ := n.Refused("/ws/alarm", nil); status != http.StatusUnauthorized {
		t.Fatalf("a console without a token: %d, want 401", status)
	}
	noAlarms := pulsenode.Token(t, "erin", pulsenode.Grants{RowData: []string{"*"}})
	if status, _, _ := n.Refused("/ws/alarm", pulsenode.Bearer(noAlarms)); status != http.StatusForbidden {
		t.Fatalf("a console whose token grants no alarms: %d, want 403", status)
	}
	if status, _, _ := n.Refused("/ws/alarm", http.Header{"Origin": {"https://elsewhere.example"}}); status != http.StatusForbidden {
		t.Fatalf("a console from an origin not listed: %d, want 403", status)
	}

	s := n.Scrape() // no credentials
	for _, e := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"endpoint=rowdata", "status=401", "key=none"}, 2},
		{[]string{"endpoint=rowdata", "status=200", "key=meter-rows"}, 1},
		{[]string{"endpoint=rowdata", "status=403", "key=all-alarms"}, 1},
		{[]string{"endpoint=rowdata", "status=200", "key=slow-meter-1"}, 1},
		{[]string{"endpoint=rowdata", "status=429", "key=slow-meter-1"}, 1},
	} {
		if v := s.Value(t, "pulse_ingest_requests_total", e.labels...); v != e.want {
			t.Errorf("pulse_ingest_requests_total%v = %v, want %v", e.labels, v, e.want)
		}
	}
	for reason, want := range map[string]float64{"auth": 1, "forbidden": 1, "origin": 1} {
		if v := s.Value(t, "pulse_upgrades_refused_total", "reason="+reason); v != want {
			t.Errorf("pulse_upgrades_refused_total{reason=%q} = %v, want %v", reason, v, want)
		}
	}
	if v := s.Value(t, "pulse_ingest_items_accepted_total", "kind=rowdata"); v != 2 {
		t.Errorf("items accepted: %v, want 2", v)
	}
	// Neither a key, a token nor a user is a label value.
	secrets := []string{"not-a-key", noAlarms, "erin", "m-1"}
	for name := range pulsenode.IngestKeys {
		secrets = append(secrets, pulsenode.IngestKey(name))
	}
	for v := range s.LabelValues() {
		for _, secret := range secrets {
			if strings.Contains(v, secret) {
				t.Errorf("label value %q holds %q", v, fmt.Sprintf("%.12s...", secret))
			}
		}
	}
}
