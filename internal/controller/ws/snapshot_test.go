package ws_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// snapshotN returns the "n" of a row-data object and whether it is marked as snapshot.
func snapshotN(t *testing.T, o pulsenode.Object) (string, bool) {
	t.Helper()
	var d struct {
		BusinessId string `json:"businessId"`
		Data       struct {
			N string `json:"n"`
		} `json:"data"`
	}
	if o.Type != "rowdata" {
		t.Fatalf("want row data, got %s", o.Raw)
	}
	if err := json.Unmarshal(o.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.BusinessId + ":" + d.Data.N, o.Snapshot
}

// TestChartSnapshot: a new (T, I) subscriber first gets the latest snapshotSize items of exactly
// that key, oldest first and marked; a (T, *) subscriber the latest of each id, in the order of
// their latest publish; then live data.
func TestChartSnapshot(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.RowData.SnapshotSize = 5 })
	post := func(id string, from, to int) {
		var items []map[string]any
		for i := from; i < to; i++ {
			items = append(items, map[string]any{"businessType": "meter", "businessId": id, "data": map[string]string{"n": fmt.Sprint(i)}})
		}
		n.MustPost("/api/v1/rowdata", map[string]any{"items": items})
	}
	post("m-1", 0, 12)
	post("m-2", 0, 2)
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","data":{"n":"type-wide"}}`) // not a key's history

	read := func(c *pulsenode.Client, count int) []string {
		var got []string
		for range count {
			s, marked := snapshotN(t, c.Next(pulsenode.Patience))
			if !marked {
				s += "(live)"
			}
			got = append(got, s)
		}
		return got
	}
	one := n.Dial(pulsenode.RowPath("meter", "m-1", "u"))
	all := n.Dial(pulsenode.RowPath("meter", "*", "u"))
	n.WaitConnections(2, 0)
	post("m-1", 12, 13)
	if got := fmt.Sprint(read(one, 6)); got != "[m-1:7 m-1:8 m-1:9 m-1:10 m-1:11 m-1:12(live)]" {
		t.Fatalf("(meter, m-1) got %s", got)
	}
	if got := fmt.Sprint(read(all, 3)); got != "[m-1:11 m-2:1 m-1:12(live)]" {
		t.Fatalf("(meter, *) got %s", got)
	}

	post("m-3", 0, 1)
	post("m-2", 2, 3)
	if got := fmt.Sprint(read(all, 2)); got != "[m-3:0(live) m-2:2(live)]" {
		t.Fatalf("(meter, *) live got %s", got)
	}
	late := n.Dial(pulsenode.RowPath("meter", "*", "v"))
	if got := fmt.Sprint(read(late, 3)); got != "[m-1:12 m-3:0 m-2:2]" {
		t.Fatalf("(meter, *) later got %s", got)
	}
}

// TestFloodOfOneTypeSparesAnother is issue 21's item 3 over a real server, auth on: pump/p-7 has
// a snapshot; a key for meter/* posts 10 requests of 1,000 new meter ids, far more than
// rowdata.memory holds. The pump user's GET /api/v1/businesses still lists pump/p-7, a new
// pump/p-7 dashboard gets its whole snapshot, its history still holds it, and /metrics shows the memory within its bound and
// the meter ids it forgot. Before, the flood pushed every pump key out of the snapshots.
func TestFloodOfOneTypeSparesAnother(t *testing.T) {
	const memory = 512 << 10
	n := pulsenode.StartAuth(t, func(c *config.Config) { c.RowData.Memory = memory })
	post := func(key string, body string) {
		t.Helper()
		status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {pulsenode.IngestKey(key)}}, body)
		if status != http.StatusOK || env.Code != 0 {
			t.Fatalf("POST /api/v1/rowdata with %s: %d %+v", key, status, env)
		}
	}
	post("broadcaster", `{"items":[`+
		`{"businessType":"pump","businessId":"p-7","data":{"n":"0"}},`+
		`{"businessType":"pump","businessId":"p-7","data":{"n":"1"}},`+
		`{"businessType":"pump","businessId":"p-7","data":{"n":"2"}}]}`)
	for r := range 10 {
		var b strings.Builder
		b.WriteString(`{"items":[`)
		for i := range 1000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"businessType":"meter","businessId":"ev-%d-%d","data":{"n":"%d"}}`, r, i, i)
		}
		post("meter-rows", b.String()+`]}`)
	}

	pumpUser := pulsenode.Bearer(pulsenode.Token(t, "pat", pulsenode.Grants{RowData: []string{"pump/*"}}))
	status, env := n.Get("/api/v1/businesses", pumpUser)
	var list struct {
		Items []struct{ BusinessType, BusinessId string }
	}
	if err := json.Unmarshal(env.Data, &list); status != http.StatusOK || err != nil {
		t.Fatalf("GET /api/v1/businesses: %d %+v %v", status, env, err)
	}
	if len(list.Items) != 1 || list.Items[0].BusinessType != "pump" || list.Items[0].BusinessId != "p-7" {
		t.Fatalf("the pump user's businesses after the flood: %+v, want pump/p-7", list.Items)
	}
	dashboard := n.DialWith(pulsenode.RowPath("pump", "p-7", "pat"), pumpUser)
	for i := range 3 {
		got, marked := snapshotN(t, dashboard.Next(pulsenode.Patience))
		if want := fmt.Sprintf("p-7:%d", i); got != want || !marked {
			t.Fatalf("a new pump/p-7 dashboard: object %d is %s (snapshot %v), want %s from the snapshot", i, got, marked, want)
		}
	}

	if status, env, h := pulsenode.History(t, n, "pump", "p-7", -1, pumpUser); status != 200 || len(h.Series) != 1 || len(h.Series[0].Items) != 3 {
		t.Fatalf("the pump user's history of pump/p-7 after the flood: %d %+v %+v, want its 3 items", status, env, h.Series)
	}

	s := n.Scrape()
	if held := s.Value(t, "pulse_rowdata_memory_bytes"); held <= 0 || held > memory {
		t.Fatalf("pulse_rowdata_memory_bytes %v, want within rowdata.memory (%d)", held, memory)
	}
	if limit := s.Value(t, "pulse_rowdata_memory_limit_bytes"); limit != memory {
		t.Fatalf("pulse_rowdata_memory_limit_bytes %v, want %d", limit, memory)
	}
	if types := s.Value(t, "pulse_rowdata_types"); types != 2 {
		t.Fatalf("pulse_rowdata_types %v, want 2 (pump and meter)", types)
	}
	if evicted := s.Value(t, "pulse_rowdata_evictions_total"); evicted < 5000 {
		t.Fatalf("pulse_rowdata_evictions_total %v, want most of the 10,000 meter ids", evicted)
	}
}
