package app_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// marker publishes a row-data item to everyone; a client has seen everything published before
// it once it reads the marker.
func (n *node) marker(id string) {
	n.t.Helper()
	n.mustPost("/api/v1/rowdata", map[string]any{"data": map[string]string{"marker": id}})
}

// receivedUntilMarker returns the "n" values of the row data a client read before the marker.
func (c *client) receivedUntilMarker(id string) []string {
	c.t.Helper()
	var got []string
	for {
		o := c.next(patience)
		if o.Type != "rowdata" {
			c.t.Fatalf("unexpected object %s", o.raw)
		}
		var d struct {
			BusinessType string `json:"businessType"`
			BusinessId   string `json:"businessId"`
			Data         struct {
				N      string `json:"n"`
				Marker string `json:"marker"`
			} `json:"data"`
		}
		if err := json.Unmarshal(o.Data, &d); err != nil {
			c.t.Fatal(err)
		}
		if d.Data.Marker == id {
			return got
		}
		got = append(got, d.Data.N)
	}
}

func rowPath(typ, id, user string) string {
	return "/ws/rowdata/" + url.PathEscape(typ) + "/" + url.PathEscape(id) + "/" + url.PathEscape(user)
}

// TestRoutingTable checks every row of the contract's routing table, exact segment matching and
// several connections of one user.
func TestRoutingTable(t *testing.T) {
	n := startNode(t, nil)
	subs := map[string]*client{
		"meter/m-1":     n.dial(rowPath("meter", "m-1", "alice")),
		"meter/m-1#2":   n.dial(rowPath("meter", "m-1", "alice")), // a second tab of the same user
		"meter/m-10":    n.dial(rowPath("meter", "m-10", "bob")),
		"meter/*":       n.dial(rowPath("meter", "*", "carol")),
		"met/m-1":       n.dial(rowPath("met", "m-1", "dave")),
		"Meter/m-1":     n.dial(rowPath("Meter", "m-1", "erin")),
		"water/*":       n.dial(rowPath("water", "*", "frank")),
		"water/w-1":     n.dial(rowPath("water", "w-1", "grace")),
		"meterx/m-1":    n.dial(rowPath("meterx", "m-1", "heidi")),
		"meter/m-1 ":    n.dial(rowPath("meter", "m-1 ", "ivan")),
		"meter/m-1/sub": n.dial(rowPath("meter", "m-1/sub", "judy")),
	}
	n.waitConnections(len(subs), 0)

	publish := func(typ, id, tag string) {
		n.mustPost("/api/v1/rowdata", map[string]any{"businessType": typ, "businessId": id, "data": map[string]string{"n": tag}})
	}
	publish("meter", "m-1", "T,I")
	publish("meter", "", "T")
	publish("", "", "all")
	publish("water", "w-1", "water")
	publish("meter", "m-1/sub", "slash")
	n.marker("end")

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
		if got := c.receivedUntilMarker("end"); !slices.Equal(got, want[name]) {
			t.Errorf("%s received %v, want %v", name, got, want[name])
		}
	}

	// An id without a type addresses nothing: refused, and nobody receives it.
	status, env := n.post("/api/v1/rowdata", map[string]any{"businessId": "m-1", "data": 1})
	if status != 400 || env.Code == 0 {
		t.Fatalf("empty type with an id: %d %+v, want 400", status, env)
	}
}

// TestNonASCIISegments subscribes with URL-encoded Chinese segments and receives what is
// published to the same names.
func TestNonASCIISegments(t *testing.T) {
	n := startNode(t, nil)
	c := n.dial("/ws/rowdata/%E7%94%B5%E8%A1%A8/%E4%B8%80%E5%8F%B7/%E5%BC%A0%E4%B8%89") // 电表/一号/张三
	other := n.dial(rowPath("电表", "二号", "李四"))
	n.waitConnections(2, 0)
	n.mustPost("/api/v1/rowdata", map[string]any{"businessType": "电表", "businessId": "一号", "data": map[string]string{"n": "v"}})
	n.marker("m")
	if got := c.receivedUntilMarker("m"); !slices.Equal(got, []string{"v"}) {
		t.Fatalf("电表/一号 received %v", got)
	}
	if got := other.receivedUntilMarker("m"); len(got) != 0 {
		t.Fatalf("电表/二号 received %v", got)
	}
}

// TestRowDataMessage checks the delivered message: type, server ts, data unchanged, time filled in.
func TestRowDataMessage(t *testing.T) {
	n := startNode(t, nil)
	c := n.dial(rowPath("meter", "m-001", "u"))
	n.waitConnections(1, 0)
	before := time.Now().UnixMilli()
	n.mustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-001","data":{"voltage":229.8,"tags":["a","<b>"]}}`)
	n.mustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-001","time":1732250000123,"data":[1,2]}`)

	o := c.next(patience)
	var d struct {
		BusinessType, BusinessId string
		Time                     int64
		Data                     map[string]any
	}
	if err := json.Unmarshal(o.Data, &d); err != nil {
		t.Fatal(err)
	}
	if o.Type != "rowdata" || o.Ts < before || d.Time < before || d.BusinessType != "meter" || d.BusinessId != "m-001" {
		t.Fatalf("message %s", o.raw)
	}
	if fmt.Sprint(d.Data) != "map[tags:[a <b>] voltage:229.8]" || !strings.Contains(string(o.raw), `"<b>"`) {
		t.Fatalf("data changed: %v", d.Data)
	}
	o = c.next(patience)
	var d2 struct {
		Time int64
		Data []int
	}
	if err := json.Unmarshal(o.Data, &d2); err != nil || d2.Time != 1732250000123 || fmt.Sprint(d2.Data) != "[1 2]" {
		t.Fatalf("given time not kept: %s", o.raw)
	}
}

// TestBatchAtomicity: one bad item rejects the batch, names its index and field, and nothing of
// it is delivered; a good batch arrives whole and in order.
func TestBatchAtomicity(t *testing.T) {
	n := startNode(t, nil)
	c := n.dial(rowPath("meter", "*", "u"))
	n.waitConnections(1, 0)
	item := func(id, tag string) map[string]any {
		return map[string]any{"businessType": "meter", "businessId": id, "data": map[string]string{"n": tag}}
	}
	bad := map[string]any{"items": []any{item("m-1", "a"), item("m-2", "b"), map[string]any{"businessType": "meter", "businessId": "", "time": "yesterday"}}}
	status, env := n.post("/api/v1/rowdata", bad)
	if status != 400 || env.Code != 51 || !strings.Contains(env.Message, "items[2].time") {
		t.Fatalf("bad batch: %d %+v", status, env)
	}
	bad = map[string]any{"items": []any{item("m-1", "a"), map[string]any{"businessType": "meter", "businessId": "*"}}}
	status, env = n.post("/api/v1/rowdata", bad)
	if status != 400 || !strings.Contains(env.Message, "items[1].businessId") {
		t.Fatalf("bad batch: %d %+v", status, env)
	}

	env = n.mustPost("/api/v1/rowdata", map[string]any{"items": []any{item("m-1", "1"), item("m-2", "2"), item("m-3", "3")}})
	if string(env.Data) != `{"accepted":3}` {
		t.Fatalf("accepted: %s", env.Data)
	}
	n.marker("m")
	if got := c.receivedUntilMarker("m"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("received %v, want only the good batch in order", got)
	}
}
