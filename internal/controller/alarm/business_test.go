package alarm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// apiKey is the X-API-Key header of the ingest key name.
func apiKey(name string) http.Header { return http.Header{"X-Api-Key": {pulsenode.IngestKey(name)}} }

// alarmData decodes an answer's data as an alarm.
func alarmData(t *testing.T, env pulsenode.Envelope) model.Alarm {
	t.Helper()
	var a model.Alarm
	if err := json.Unmarshal(env.Data, &a); err != nil {
		t.Fatalf("data %s: %v", env.Data, err)
	}
	return a
}

// TestAlarmIdTakeover is issue 21's first finding, replayed: alarm p-al-1 belongs to pump/p-7, and
// an ingest key scoped to meter/* posts the same id under meter/m-1. That is another alarm: a new
// one (raised, count 1) of meter/m-1; the meter user sees, reads and clears only it, never the
// pump's alarm or its history; the pump's alarm is unchanged and the pump console hears nothing.
func TestAlarmIdTakeover(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	pumpGrants := pulsenode.Grants{Alarms: []string{"pump/p-7", "end/x"}, Ack: true}
	meterGrants := pulsenode.Grants{Alarms: []string{"meter/*"}, Ack: true}
	pumpUser, meterUser := pulsenode.Bearer(pulsenode.Token(t, "pat", pumpGrants)), pulsenode.Bearer(pulsenode.Token(t, "maria", meterGrants))
	pumpConsole := n.DialWith("/ws/alarm", pumpUser)

	pumpAlarm := `{"alarmId":"p-al-1","businessType":"pump","businessId":"p-7","level":"critical","title":"Pressure low","content":"2.1 bar","data":{"bar":2.1}}`
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", apiKey("all-alarms"), pumpAlarm); status != 200 {
		t.Fatalf("the pump's alarm: %d %+v", status, env)
	}
	if o := pumpConsole.Next(pulsenode.Patience); o.Event != "raised" || pulsenode.AlarmOf(t, o).AlarmId != "p-al-1" {
		t.Fatalf("the pump console: %s, want p-al-1 raised", o.Raw)
	}
	if status, _, _ := n.Call(http.MethodGet, "/api/v1/alarms/p-al-1/events", meterUser, ""); status != 404 {
		t.Fatalf("the meter user reads the pump's p-al-1: %d, want 404", status)
	}

	// The hijack as it was tried: 200, and a new alarm of meter/m-1.
	status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", apiKey("meter-alarms"),
		`{"alarmId":"p-al-1","businessType":"meter","businessId":"m-1","level":"info","title":"hijacked"}`)
	if status != 200 {
		t.Fatalf("meter/m-1's p-al-1: %d %+v", status, env)
	}
	status, env, _ = n.Call(http.MethodGet, "/api/v1/alarms/p-al-1/events", meterUser, "")
	var history struct{ Items []model.AlarmMessage }
	_ = json.Unmarshal(env.Data, &history)
	if status != 200 || len(history.Items) != 1 || history.Items[0].Event != "raised" || history.Items[0].Data.Count != 1 ||
		history.Items[0].Data.BusinessType != "meter" || strings.Contains(string(env.Data), "Pressure low") {
		t.Fatalf("the meter user's history of p-al-1: %d %s, want meter/m-1's one raise, nothing of the pump's", status, env.Data)
	}

	// The meter user clears p-al-1: meter/m-1's. The pump's is out of its reach, as if absent.
	status, env, _ = n.Call(http.MethodPost, "/api/v1/alarms/p-al-1/clear", meterUser, `{}`)
	if a := alarmData(t, env); status != 200 || a.BusinessType != "meter" || a.Status != "cleared" || a.ClearedBy != "maria" {
		t.Fatalf("the meter user's clear of p-al-1: %d %s, want meter/m-1's cleared by maria", status, env.Data)
	}
	for _, path := range []string{"/api/v1/alarms/pump/p-7/p-al-1/clear", "/api/v1/alarms/pump/p-7/p-al-1/ack"} {
		status, env, _ := n.Call(http.MethodPost, path, meterUser, `{}`)
		if status != 404 || env.Message != `alarm "pump/p-7/p-al-1" not found` {
			t.Fatalf("the meter user: POST %s: %d %+v, want 404 as for an unknown alarm", path, status, env)
		}
	}

	// The pump console heard nothing of it, and the pump's alarm is as it was.
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", apiKey("all-alarms"), `{"alarmId":"end","businessType":"end","businessId":"x"}`); status != 200 {
		t.Fatalf("end: %d %+v", status, env)
	}
	if got := pumpConsole.AlarmsUntilEnd(); len(got) != 0 {
		t.Fatalf("the pump console received %v, want nothing of meter/m-1's alarm", got)
	}
	status, env, _ = n.Call(http.MethodGet, "/api/v1/alarms", pumpUser, "")
	var list struct{ Items []model.Alarm }
	_ = json.Unmarshal(env.Data, &list)
	if status != 200 || len(list.Items) != 2 || list.Items[1].AlarmId != "p-al-1" || list.Items[1].BusinessType != "pump" ||
		list.Items[1].Status != "active" || list.Items[1].Count != 1 || list.Items[1].Title != "Pressure low" {
		t.Fatalf("the pump user's alarms: %d %s, want end and the pump's p-al-1, active, count 1", status, env.Data)
	}
}

// TestShortAlarmPaths: the v1 paths without the business act on the one alarm of that id in the
// caller's scope; with several, 409 code 1410, naming no business; the console's socket ack and
// clear take the business beside the id, under the same rule without it.
func TestShortAlarmPaths(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	for _, b := range []string{"meter/m-1", "meter/m-2", "pump/p-7"} {
		typ, id, _ := strings.Cut(b, "/")
		pulsenode.RaiseAs(t, n, "all-alarms", "a-1", typ, id)
	}
	m1 := pulsenode.Bearer(pulsenode.Token(t, "maria", pulsenode.Grants{Alarms: []string{"meter/m-1", "pump/p-8"}, Ack: true}))
	meters := pulsenode.Bearer(pulsenode.Token(t, "mo", pulsenode.Grants{Alarms: []string{"meter/*"}, Ack: true}))
	all := pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: []string{"*"}, Ack: true}))

	// One of the three in maria's scope: the short form is hers.
	status, env, _ := n.Call(http.MethodPost, "/api/v1/alarms/a-1/ack", m1, `{}`)
	if a := alarmData(t, env); status != 200 || a.BusinessId != "m-1" || a.AckedBy != "maria" {
		t.Fatalf("maria's short ack: %d %s, want meter/m-1's a-1", status, env.Data)
	}
	// Two in mo's: ambiguous, and the message names neither (nor pump/p-7, out of scope).
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/alarms/a-1/ack"}, {http.MethodPost, "/api/v1/alarms/a-1/clear"}, {http.MethodGet, "/api/v1/alarms/a-1/events"},
	} {
		body := ""
		if c.method == http.MethodPost {
			body = `{}`
		}
		status, env, _ := n.Call(c.method, c.path, meters, body)
		if status != 409 || env.Code != 1410 || env.Message != "ambiguous alarmId: use /alarms/{businessType}/{businessId}/{alarmId}" {
			t.Errorf("mo: %s %s: %d %+v, want 409 code 1410", c.method, c.path, status, env)
		}
	}
	// The full path is never ambiguous.
	status, env, _ = n.Call(http.MethodPost, "/api/v1/alarms/meter/m-2/a-1/ack", meters, `{}`)
	if a := alarmData(t, env); status != 200 || a.BusinessId != "m-2" || a.AckedBy != "mo" {
		t.Fatalf("mo's full ack: %d %s, want meter/m-2's a-1", status, env.Data)
	}

	// Over the socket: the business beside the id; without it, the short form's rule.
	console := n.DialWith("/ws/alarm", all)
	console.Send(`{"type":"ack","alarmId":"a-1"}`)
	if o := console.Next(pulsenode.Patience); o.Type != "error" || o.Code != 1410 || strings.Contains(o.Message, "pump") {
		t.Fatalf("ann's short socket ack: %s, want an error with code 1410", o.Raw)
	}
	console.Send(`{"type":"ack","businessType":"pump","businessId":"p-7","alarmId":"a-1"}`)
	if o := console.Next(pulsenode.Patience); o.Event != "acked" || pulsenode.AlarmOf(t, o).BusinessType != "pump" || pulsenode.AlarmOf(t, o).AckedBy != "ann" {
		t.Fatalf("ann's socket ack of pump/p-7's a-1: %s", o.Raw)
	}
	console.Send(`{"type":"clear","businessType":"meter","businessId":"m-1","alarmId":"a-1","user":"mallory"}`)
	if o := console.Next(pulsenode.Patience); o.Event != "cleared" || pulsenode.AlarmOf(t, o).BusinessId != "m-1" || pulsenode.AlarmOf(t, o).ClearedBy != "ann" {
		t.Fatalf("ann's socket clear of meter/m-1's a-1: %s, want it cleared by ann", o.Raw)
	}
	console.Send(`{"type":"clear","businessType":"meter","alarmId":"a-1"}`)
	if o := console.Next(pulsenode.Patience); o.Type != "error" || o.Code != 51 {
		t.Fatalf("a socket clear with a type and no id: %s, want an error with code 51", o.Raw)
	}
	// A console that may see only meter/m-1 (and pump/p-8): meter/m-2 is absent to it.
	narrow := n.DialWith("/ws/alarm", m1)
	narrow.Send(`{"type":"clear","businessType":"meter","businessId":"m-2","alarmId":"a-1"}`)
	if o := narrow.Next(pulsenode.Patience); o.Type != "error" || o.Code != 65 || o.Message != `alarm "meter/m-2/a-1" not found` {
		t.Fatalf("maria's socket clear of meter/m-2's a-1: %s, want the error of an unknown alarm", o.Raw)
	}
}

// TestClearRecordsWho: a clear takes the body of an acknowledgement; the alarm records who cleared
// it and when, every console receives that, and a new raise forgets who acknowledged and cleared.
func TestClearRecordsWho(t *testing.T) {
	n := pulsenode.Start(t, nil)
	console := n.Dial("/ws/alarm")
	n.Raise(`{"alarmId":"c-1","businessType":"meter","businessId":"m-1"}`)
	console.Next(pulsenode.Patience)
	n.MustPost("/api/v1/alarms/meter/m-1/c-1/ack", `{"user":"alice"}`)
	console.Next(pulsenode.Patience)
	a := alarmData(t, n.MustPost("/api/v1/alarms/meter/m-1/c-1/clear", `{"user":"bob"}`))
	if a.Status != "cleared" || a.ClearedBy != "bob" || a.ClearTime == 0 || a.AckedBy != "alice" {
		t.Fatalf("the clear's answer: %+v, want cleared by bob, acknowledged by alice", a)
	}
	if o := console.Next(pulsenode.Patience); o.Event != "cleared" || pulsenode.AlarmOf(t, o).ClearedBy != "bob" || pulsenode.AlarmOf(t, o).ClearTime != a.ClearTime {
		t.Fatalf("the console: %s, want cleared by bob", o.Raw)
	}
	n.Raise(`{"alarmId":"c-1","businessType":"meter","businessId":"m-1"}`)
	if o := console.Next(pulsenode.Patience); o.Event != "raised" || pulsenode.AlarmOf(t, o).ClearedBy != "" || pulsenode.AlarmOf(t, o).ClearTime != 0 ||
		pulsenode.AlarmOf(t, o).AckedBy != "" || pulsenode.AlarmOf(t, o).AckTime != 0 || pulsenode.AlarmOf(t, o).Count != 2 {
		t.Fatalf("raised again: %s, want active, count 2, with nobody's ack or clear", o.Raw)
	}
	if status, env := n.Post("/api/v1/alarms/meter/m-1/c-1/clear", `{"user":"a\u0007b"}`); status != 400 || !strings.HasPrefix(env.Message, "user: ") {
		t.Fatalf("a clear by a user with a control character: %d %+v, want 400", status, env)
	}
}

// TestSourceClears: an alarm item with "action": "clear" clears the alarm of its business, as the
// key's name (ingest with auth off); an unknown or cleared alarm is left as it is and answered
// 200; another action is 400; a key that may not publish the business is refused.
func TestSourceClears(t *testing.T) {
	t.Run("auth on", func(t *testing.T) {
		n := pulsenode.StartAuth(t, nil)
		console := n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: []string{"*"}})))
		pulsenode.RaiseAs(t, n, "all-alarms", "s-1", "meter", "m-1")
		pulsenode.RaiseAs(t, n, "all-alarms", "s-1", "pump", "p-7")
		console.Next(pulsenode.Patience)
		console.Next(pulsenode.Patience)
		clear := func(key, body string) (int, pulsenode.Envelope) {
			status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", apiKey(key), body)
			return status, env
		}
		if status, env := clear("meter-alarms", `{"alarmId":"s-1","businessType":"pump","businessId":"p-7","action":"clear"}`); status != 403 {
			t.Fatalf("meter-alarms clears pump/p-7's s-1: %d %+v, want 403", status, env)
		}
		status, env := clear("meter-alarms", `{"items":[{"alarmId":"s-1","businessType":"meter","businessId":"m-1","action":"clear"},`+
			`{"alarmId":"s-9","businessType":"meter","businessId":"m-1","action":"clear"}]}`)
		var receipts struct{ Items []model.AlarmReceipt }
		_ = json.Unmarshal(env.Data, &receipts)
		if status != 200 || len(receipts.Items) != 2 || receipts.Items[0].Seq != 3 || receipts.Items[1].Seq != 0 {
			t.Fatalf("meter-alarms clears s-1 and the unknown s-9: %d %s, want seq 3 and 0", status, env.Data)
		}
		o := console.Next(pulsenode.Patience)
		if a := pulsenode.AlarmOf(t, o); o.Event != "cleared" || o.Seq != 3 || a.BusinessType != "meter" || a.ClearedBy != "meter-alarms" {
			t.Fatalf("the console: %s, want meter/m-1's s-1 cleared by meter-alarms", o.Raw)
		}
		// Again: cleared already, nothing changes, the receipt says the alarm's seq.
		status, env = clear("meter-alarms", `{"alarmId":"s-1","businessType":"meter","businessId":"m-1","action":"clear"}`)
		if _ = json.Unmarshal(env.Data, &receipts); status != 200 || len(receipts.Items) != 1 || receipts.Items[0].Seq != 3 {
			t.Fatalf("a clear of a cleared alarm: %d %s, want 200 with seq 3", status, env.Data)
		}
		if status, env := clear("all-alarms", `{"alarmId":"s-1","businessType":"pump","businessId":"p-7","action":"close"}`); status != 400 ||
			!strings.HasPrefix(env.Message, "action: ") {
			t.Fatalf("action close: %d %+v, want 400 naming action", status, env)
		}
		if status, env := clear("all-alarms", `{"businessType":"pump","businessId":"p-7","action":"clear"}`); status != 400 ||
			!strings.HasPrefix(env.Message, "alarmId: ") {
			t.Fatalf("a clear without alarmId: %d %+v, want 400 naming alarmId", status, env)
		}
		pulsenode.RaiseAs(t, n, "all-alarms", "end", "end", "x")
		if got := console.AlarmsUntilEnd(); len(got) != 0 {
			t.Fatalf("the console received %v after the clears that changed nothing", got)
		}
	})
	t.Run("auth off", func(t *testing.T) {
		n := pulsenode.Start(t, nil)
		n.Raise(`{"alarmId":"s-1","businessType":"meter","businessId":"m-1"}`)
		r := n.Raise(`{"alarmId":"s-1","businessType":"meter","businessId":"m-1","action":"clear"}`)
		status, env := n.Get("/api/v1/alarms?status=cleared", nil)
		var list struct{ Items []model.Alarm }
		_ = json.Unmarshal(env.Data, &list)
		if status != 200 || r[0].Seq != 2 || len(list.Items) != 1 || list.Items[0].ClearedBy != "ingest" || list.Items[0].Action != "" {
			t.Fatalf("cleared by the source: seq %d, %d %s, want cleared by ingest", r[0].Seq, status, env.Data)
		}
	})
}

// TestPulseTypeReserved: the business type "pulse" is the server's own: ingest of it, alarms or
// row data, is refused 403 whatever the key, auth on or off, and nothing is delivered.
func TestPulseTypeReserved(t *testing.T) {
	for _, auth := range []bool{false, true} {
		t.Run(map[bool]string{false: "auth off", true: "auth on"}[auth], func(t *testing.T) {
			var edit func(*config.Config)
			if auth {
				edit = pulsenode.WithAuth(t)
			}
			n := pulsenode.Start(t, edit)
			header := http.Header{}
			if auth {
				header = apiKey("broadcaster")
			}
			for _, c := range []struct{ path, body string }{
				{"/api/v1/alarm", `{"alarmId":"n-1","businessType":"pulse","businessId":"notify","title":"forged"}`},
				{"/api/v1/alarm", `{"items":[{"businessType":"meter","businessId":"m-1"},{"businessType":"pulse","businessId":"notify","action":"clear","alarmId":"n-1"}]}`},
				{"/api/v1/rowdata", `{"businessType":"pulse","businessId":"notify","data":1}`},
			} {
				status, env, _ := n.Call(http.MethodPost, c.path, header, c.body)
				if status != 403 || env.Code != 1403 || !strings.Contains(env.Message, `"pulse" is reserved`) {
					t.Errorf("POST %s %s: %d %+v, want 403", c.path, c.body, status, env)
				}
			}
			list := pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: []string{"*"}}))
			status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms", list, "")
			if status != 200 || string(env.Data) != `{"items":[]}` {
				t.Errorf("alarms after the refusals: %d %s, want none", status, env.Data)
			}
		})
	}
}

// TestNarrowScopeAmongMany: with many alarms of other businesses stored, a token's list, resume
// and state replay hold exactly the alarms its patterns cover (T/I, T/*, several, an alarm
// without a type only under *), newest first and in seq order.
func TestNarrowScopeAmongMany(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	var items []string
	for i := range 1500 {
		items = append(items, fmt.Sprintf(`{"alarmId":"o-%d","businessType":"other","businessId":"o-%d"}`, i, i%50))
		if len(items) == 500 {
			if status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", apiKey("all-alarms"), `{"items":[`+strings.Join(items, ",")+`]}`); status != 200 {
				t.Fatalf("others: %d %+v", status, env)
			}
			items = items[:0]
		}
	}
	for _, b := range []string{"meter/m-1", "meter/m-2", "pump/p-7", "pump/p-8"} {
		typ, id, _ := strings.Cut(b, "/")
		pulsenode.RaiseAs(t, n, "all-alarms", "x-"+id, typ, id)
	}
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", apiKey("all-alarms"), `{"alarmId":"untyped","businessType":"other","businessId":"u-1"}`); status != 200 {
		t.Fatalf("untyped: %d %+v", status, env)
	}
	for _, c := range []struct {
		patterns []string
		want     []string // oldest first
	}{
		{[]string{"meter/m-2"}, []string{"x-m-2"}},
		{[]string{"pump/*"}, []string{"x-p-7", "x-p-8"}},
		{[]string{"meter/m-1", "pump/*"}, []string{"x-m-1", "x-p-7", "x-p-8"}},
		{[]string{"nothing/here"}, nil},
		{[]string{"*"}, nil}, // everything: checked by count below
	} {
		tok := pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: c.patterns}))
		status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms?limit=1000", tok, "")
		var list struct{ Items []model.Alarm }
		_ = json.Unmarshal(env.Data, &list)
		var listed []string
		for _, a := range list.Items {
			listed = append([]string{a.AlarmId}, listed...)
		}
		resumed := pulsenode.IDsOf(n.DialWith("/ws/alarm?since=0", tok).Replayed)
		state := pulsenode.IDsOf(n.DialWith("/ws/alarm", tok).Replayed)
		if c.patterns[0] == "*" {
			if len(listed) != 1000 || listed[len(listed)-1] != "untyped" || len(resumed) != 1505 || len(state) != 1505 || state[1504] != "untyped" {
				t.Errorf("*: listed %d, resumed %d, state %d, want 1000 (the newest), 1505 and 1505", len(listed), len(resumed), len(state))
			}
			continue
		}
		if status != 200 || !slices.Equal(listed, c.want) || !slices.Equal(resumed, c.want) || !slices.Equal(state, c.want) {
			t.Errorf("%v: listed %d %v, resumed %v, state %v; want %v", c.patterns, status, listed, resumed, state, c.want)
		}
	}
}

// TestClusterAlarmRoutingByBusiness: two nodes on one Redis and one database, auth on. Alarms
// raised on one node reach the consoles of the other by their business, which the bus carries
// beside each event: each console gets exactly the alarms its patterns cover, and the same id
// under two businesses reaches each business's console as its own alarm.
func TestClusterAlarmRoutingByBusiness(t *testing.T) {
	testsvc.RequireRedis(t)
	testsvc.EachDatabase(t, "pulse_app_routing", func(t *testing.T, link string) {
		nodes := pulsenode.StartCluster(t, 2, testsvc.RedisAddr, link, true)
		meter := nodes[1].DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "maria", pulsenode.Grants{Alarms: []string{"meter/*", "end/x"}})))
		pump := nodes[1].DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "pat", pulsenode.Grants{Alarms: []string{"pump/p-7", "end/x"}})))
		for _, b := range []string{"meter/m-1", "pump/p-7", "pump/p-8", "meter/m-2"} {
			typ, id, _ := strings.Cut(b, "/")
			pulsenode.RaiseAs(t, nodes[0], "all-alarms", "shared", typ, id)
		}
		pulsenode.RaiseAs(t, nodes[0], "all-alarms", "end", "end", "x")
		for who, c := range map[string]struct {
			console *pulsenode.Client
			want    string
		}{"meter": {meter, "meter/m-1 meter/m-2"}, "pump": {pump, "pump/p-7"}} {
			var got []string
			for {
				o := c.console.Next(pulsenode.Patience)
				a := pulsenode.AlarmOf(t, o)
				if a.AlarmId == "end" {
					break
				}
				got = append(got, a.BusinessType+"/"+a.BusinessId)
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("%s's console on the other node received %v, want %s", who, got, c.want)
			}
		}
	})
}
