package ws_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestRoutingTable checks every row of the contract's routing table, exact segment matching and
// several connections of one user.
func TestRoutingTable(t *testing.T) {
	n := pulsenode.Start(t, nil)
	subs := map[string]*pulsenode.Client{
		"meter/m-1":     n.Dial(pulsenode.RowPath("meter", "m-1", "alice")),
		"meter/m-1#2":   n.Dial(pulsenode.RowPath("meter", "m-1", "alice")), // a second tab of the same user
		"meter/m-10":    n.Dial(pulsenode.RowPath("meter", "m-10", "bob")),
		"meter/*":       n.Dial(pulsenode.RowPath("meter", "*", "carol")),
		"met/m-1":       n.Dial(pulsenode.RowPath("met", "m-1", "dave")),
		"Meter/m-1":     n.Dial(pulsenode.RowPath("Meter", "m-1", "erin")),
		"water/*":       n.Dial(pulsenode.RowPath("water", "*", "frank")),
		"water/w-1":     n.Dial(pulsenode.RowPath("water", "w-1", "grace")),
		"meterx/m-1":    n.Dial(pulsenode.RowPath("meterx", "m-1", "heidi")),
		"meter/m-1 ":    n.Dial(pulsenode.RowPath("meter", "m-1 ", "ivan")),
		"meter/m-1/sub": n.Dial(pulsenode.RowPath("meter", "m-1/sub", "judy")),
	}
	n.WaitConnections(len(subs), 0)

	publish := func(typ, id, tag string) {
		n.MustPost("/api/v1/rowdata", map[string]any{"businessType": typ, "businessId": id, "data": map[string]string{"n": tag}})
	}
	publish("meter", "m-1", "T,I")
	publish("meter", "", "T")
	publish("", "", "all")
	publish("water", "w-1", "water")
	publish("meter", "m-1/sub", "slash")
	n.Marker("end")

	want := map[string][]string{
		"meter/m-1":     {"T,I", "T", "all"},
		"meter/m-1#2":   {"T,I", "T", "all"},
		"meter/m-10":    {"T", "all"},
		"meter/*":       {"T,I", "T", "all", "slash"},
		"met/m-1":       {"all"},
		"Meter/m-1":     {"all"},
		"water/*":       {"all", "water"},
		"water/w-1":     {"all", "water"},
		"meterx/m-1":    {"all"},
		"meter/m-1 ":    {"T", "all"},
		"meter/m-1/sub": {"T", "all", "slash"},
	}
	for name, c := range subs {
		if got := c.ReceivedUntilMarker("end"); !slices.Equal(got, want[name]) {
			t.Errorf("%s received %v, want %v", name, got, want[name])
		}
	}

	// An id without a type addresses nothing: refused, and nobody receives it.
	status, env := n.Post("/api/v1/rowdata", map[string]any{"businessId": "m-1", "data": 1})
	if status != 400 || env.Code == 0 {
		t.Fatalf("empty type with an id: %d %+v, want 400", status, env)
	}
}

// TestNonASCIISegments subscribes with URL-encoded Chinese segments and receives what is
// published to the same names.
func TestNonASCIISegments(t *testing.T) {
	n := pulsenode.Start(t, nil)
	c := n.Dial("/ws/rowdata/%E7%94%B5%E8%A1%A8/%E4%B8%80%E5%8F%B7/%E5%BC%A0%E4%B8%89") // 电表/一号/张三
	other := n.Dial(pulsenode.RowPath("电表", "二号", "李四"))
	n.WaitConnections(2, 0)
	n.MustPost("/api/v1/rowdata", map[string]any{"businessType": "电表", "businessId": "一号", "data": map[string]string{"n": "v"}})
	n.Marker("m")
	if got := c.ReceivedUntilMarker("m"); !slices.Equal(got, []string{"v"}) {
		t.Fatalf("电表/一号 received %v", got)
	}
	if got := other.ReceivedUntilMarker("m"); len(got) != 0 {
		t.Fatalf("电表/二号 received %v", got)
	}
}

// TestRowDataMessage checks the delivered message: type, server ts, data unchanged, time filled in.
func TestRowDataMessage(t *testing.T) {
	n := pulsenode.Start(t, nil)
	c := n.Dial(pulsenode.RowPath("meter", "m-001", "u"))
	n.WaitConnections(1, 0)
	before := time.Now().UnixMilli()
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-001","data":{"voltage":229.8,"tags":["a","<b>"]}}`)
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-001","time":1732250000123,"data":[1,2]}`)

	o := c.Next(pulsenode.Patience)
	var d struct {
		BusinessType, BusinessId string
		Time                     int64
		Data                     map[string]any
	}
	if err := json.Unmarshal(o.Data, &d); err != nil {
		t.Fatal(err)
	}
	if o.Type != "rowdata" || o.Ts < before || d.Time < before || d.BusinessType != "meter" || d.BusinessId != "m-001" {
		t.Fatalf("message %s", o.Raw)
	}
	if fmt.Sprint(d.Data) != "map[tags:[a <b>] voltage:229.8]" || !strings.Contains(string(o.Raw), `"<b>"`) {
		t.Fatalf("data changed: %v", d.Data)
	}
	o = c.Next(pulsenode.Patience)
	var d2 struct {
		Time int64
		Data []int
	}
	if err := json.Unmarshal(o.Data, &d2); err != nil || d2.Time != 1732250000123 || fmt.Sprint(d2.Data) != "[1 2]" {
		t.Fatalf("given time not kept: %s", o.Raw)
	}
}

// TestBatchAtomicity: one bad item rejects the batch, names its index and field, and nothing of
// it is delivered; a good batch arrives whole and in order.
func TestBatchAtomicity(t *testing.T) {
	n := pulsenode.Start(t, nil)
	c := n.Dial(pulsenode.RowPath("meter", "*", "u"))
	n.WaitConnections(1, 0)
	item := func(id, tag string) map[string]any {
		return map[string]any{"businessType": "meter", "businessId": id, "data": map[string]string{"n": tag}}
	}
	bad := map[string]any{"items": []any{item("m-1", "a"), item("m-2", "b"), map[string]any{"businessType": "meter", "businessId": "", "time": "yesterday"}}}
	status, env := n.Post("/api/v1/rowdata", bad)
	if status != 400 || env.Code != 51 || !strings.Contains(env.Message, "items[2].time") {
		t.Fatalf("bad batch: %d %+v", status, env)
	}
	bad = map[string]any{"items": []any{item("m-1", "a"), map[string]any{"businessType": "meter", "businessId": "*"}}}
	status, env = n.Post("/api/v1/rowdata", bad)
	if status != 400 || !strings.Contains(env.Message, "items[1].businessId") {
		t.Fatalf("bad batch: %d %+v", status, env)
	}

	env = n.MustPost("/api/v1/rowdata", map[string]any{"items": []any{item("m-1", "1"), item("m-2", "2"), item("m-3", "3")}})
	if string(env.Data) != `{"accepted":3}` {
		t.Fatalf("accepted: %s", env.Data)
	}
	n.Marker("m")
	if got := c.ReceivedUntilMarker("m"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("received %v, want only the good batch in order", got)
	}
}
