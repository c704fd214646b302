package alarm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

func names(items []pulsenode.Business) string {
	s := make([]string, len(items))
	for i, b := range items {
		s[i] = b.BusinessType + "/" + b.BusinessId
	}
	return strings.Join(s, " ")
}

// TestBusinesses: the keys row data was published to, most recent first, with the time of their
// latest publish; a publish to a whole type or to everyone is not a key; limit applies and is checked.
func TestBusinesses(t *testing.T) {
	n := pulsenode.Start(t, nil)
	if status, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses", nil); status != 200 || len(items) != 0 {
		t.Fatalf("before any publish: %d %v, want 200 and no items", status, items)
	}
	before := time.Now().UnixMilli()
	for _, k := range []string{"meter/m-1", "meter/m-2", "pump/p-1", "meter/m-1", "meter/", "/"} {
		typ, id, _ := strings.Cut(k, "/")
		n.MustPost("/api/v1/rowdata", fmt.Sprintf(`{"businessType":%q,"businessId":%q,"data":{"v":1}}`, typ, id))
	}
	var items []pulsenode.Business
	poll.Eventually(t, func() bool {
		_, _, items = pulsenode.Businesses(t, n, "/api/v1/businesses", nil)
		return len(items) == 3
	}, "three businesses listed")
	after := time.Now().UnixMilli()
	if got := names(items); got != "meter/m-1 pump/p-1 meter/m-2" {
		t.Errorf("businesses %s, want meter/m-1 pump/p-1 meter/m-2 (most recent first)", got)
	}
	for _, b := range items {
		if b.LastTime < before || b.LastTime > after {
			t.Errorf("%s/%s lastTime %d, want between %d and %d", b.BusinessType, b.BusinessId, b.LastTime, before, after)
		}
	}
	if _, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses?limit=1", nil); names(items) != "meter/m-1" {
		t.Errorf("limit=1: %s, want meter/m-1", names(items))
	}
	for _, q := range []string{"?limit=0", "?limit=10001", "?limit=x", "?type=meter"} {
		if status, env, _ := pulsenode.Businesses(t, n, "/api/v1/businesses"+q, nil); status != 400 || env.Code != consts.CodeInvalidInput.Code() {
			t.Errorf("GET /api/v1/businesses%s: %d %+v, want 400", q, status, env)
		}
	}
}

// TestBusinessesAuth: with auth on, the list needs a token and shows only what its rowdata
// patterns cover; a token without any is refused.
func TestBusinessesAuth(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	for _, k := range []string{"meter/m-1", "pump/p-1", "meter/m-2", "pump/p-2"} {
		typ, id, _ := strings.Cut(k, "/")
		body := fmt.Sprintf(`{"businessType":%q,"businessId":%q,"data":{"v":1}}`, typ, id)
		if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {pulsenode.IngestKey("broadcaster")}}, body); status != 200 {
			t.Fatalf("publish %s: %d %+v", k, status, env)
		}
	}
	all := pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{RowData: []string{"*"}}))
	poll.Eventually(t, func() bool {
		_, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses", all)
		return len(items) == 4
	}, "four businesses listed")

	for _, tc := range []struct {
		g    pulsenode.Grants
		want string
	}{
		{pulsenode.Grants{RowData: []string{"meter/*"}}, "meter/m-2 meter/m-1"},
		{pulsenode.Grants{RowData: []string{"pump/p-1", "meter/m-2"}}, "meter/m-2 pump/p-1"},
		{pulsenode.Grants{RowData: []string{"*"}}, "pump/p-2 meter/m-2 pump/p-1 meter/m-1"},
		{pulsenode.Grants{RowData: []string{"valve/*"}}, ""},
	} {
		status, env, items := pulsenode.Businesses(t, n, "/api/v1/businesses", pulsenode.Bearer(pulsenode.Token(t, "ann", tc.g)))
		if status != 200 || names(items) != tc.want {
			t.Errorf("as %v: %d %+v %q, want %q", tc.g.RowData, status, env, names(items), tc.want)
		}
	}
	if status, env, items := pulsenode.Businesses(t, n, "/api/v1/businesses?limit=1", pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{RowData: []string{"meter/*"}}))); status != 200 || names(items) != "meter/m-2" {
		t.Errorf("limit=1 as meter/*: %d %+v %q, want meter/m-2", status, env, names(items))
	}
	if status, env, _ := pulsenode.Businesses(t, n, "/api/v1/businesses", pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: []string{"*"}}))); status != 403 || env.Code != consts.CodeForbidden.Code() {
		t.Errorf("a token without rowdata patterns: %d %+v, want 403", status, env)
	}
	status, env, h := n.Call(http.MethodGet, "/api/v1/businesses", nil, "")
	if status != 401 || env.Code != consts.CodeNotAuthorized.Code() || h.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("no token: %d %+v, want 401 with WWW-Authenticate: Bearer", status, env)
	}
	if status, _, _ := n.Call(http.MethodGet, "/api/v1/businesses", http.Header{"X-Api-Key": {pulsenode.IngestKey("broadcaster")}}, ""); status != 401 {
		t.Errorf("an ingest key instead of a token: %d, want 401", status)
	}
}

// alarmEvent is one item of GET /api/v1/alarms/{alarmId}/events.
type alarmEvent struct {
	Type, Event string
	Seq         int64
	Data        struct {
		AlarmId, Status string
		Count           int
	}
}

func alarmEvents(t *testing.T, n *pulsenode.Node, id string, header http.Header) (int, pulsenode.Envelope, []alarmEvent) {
	t.Helper()
	status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms/"+id+"/events", header, "")
	var list struct{ Items []alarmEvent }
	if status == 200 {
		if err := json.Unmarshal(env.Data, &list); err != nil {
			t.Fatalf("events of %s: data %s: %v", id, env.Data, err)
		}
	}
	return status, env, list.Items
}

// TestAlarmEvents: an alarm's history is its events in seq order, as consoles received them;
// an unknown alarm is a 404.
func TestAlarmEvents(t *testing.T) {
	n := pulsenode.Start(t, nil)
	raise := func(id, level string) {
		n.MustPost("/api/v1/alarm", fmt.Sprintf(`{"alarmId":%q,"businessType":"meter","businessId":"m-1","level":%q,"title":"t"}`, id, level))
	}
	raise("a-1", "major")
	raise("a-2", "info")
	raise("a-1", "critical")
	n.MustPost("/api/v1/alarms/a-1/ack", `{"user":"李雷"}`)
	n.MustPost("/api/v1/alarms/a-1/clear", `{}`)

	status, env, items := alarmEvents(t, n, "a-1", nil)
	want := []string{"raised active 1", "repeated active 2", "acked acked 2", "cleared cleared 2"}
	var got []string
	for i, e := range items {
		got = append(got, fmt.Sprintf("%s %s %d", e.Event, e.Data.Status, e.Data.Count))
		if e.Type != "alarm" || e.Data.AlarmId != "a-1" || (i > 0 && e.Seq <= items[i-1].Seq) {
			t.Errorf("event %d: %+v, want an alarm object of a-1 after seq %d", i, e, items[max(i-1, 0)].Seq)
		}
	}
	if status != 200 || strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("events of a-1: %d %+v %q, want %q", status, env, got, want)
	}
	if status, _, items := alarmEventsQuery(t, n, "a-1", "?limit=1"); status != 200 || len(items) != 1 || items[0].Event != "cleared" {
		t.Errorf("limit=1: %d %+v, want the cleared event only", status, items)
	}
	if status, env, _ := alarmEvents(t, n, "nope", nil); status != 404 || env.Code != consts.CodeNotFound.Code() {
		t.Errorf("events of an unknown alarm: %d %+v, want 404", status, env)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?since=3"} {
		if status, _, _ := alarmEventsQuery(t, n, "a-1", q); status != 400 {
			t.Errorf("events%s: %d, want 400", q, status)
		}
	}
	if status, _, _ := n.Call(http.MethodPost, "/api/v1/alarms/a-1/events", nil, "{}"); status != 405 {
		t.Errorf("POST events: %d, want 405", status)
	}
}

func alarmEventsQuery(t *testing.T, n *pulsenode.Node, id, query string) (int, pulsenode.Envelope, []alarmEvent) {
	t.Helper()
	status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms/"+id+"/events"+query, nil, "")
	var list struct{ Items []alarmEvent }
	_ = json.Unmarshal(env.Data, &list)
	return status, env, list.Items
}

// TestAlarmEventsAuth: with auth on, an alarm's history needs a token whose alarms patterns
// cover it (else 404, exactly as for an unknown alarm); "ack" is not needed to read.
func TestAlarmEventsAuth(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	pulsenode.RaiseAs(t, n, "all-alarms", "a-m1", "meter", "m-1")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-p7", "pump", "p-7")
	for _, tc := range []struct {
		name, id string
		g        pulsenode.Grants
		status   int
	}{
		{"in scope, no ack flag", "a-m1", pulsenode.Grants{Alarms: []string{"meter/*"}}, 200},
		{"everything", "a-p7", pulsenode.Grants{Alarms: []string{"*"}}, 200},
		{"in scope, in full", "meter/m-1/a-m1", pulsenode.Grants{Alarms: []string{"meter/*"}}, 200},
		{"outside the scope", "a-p7", pulsenode.Grants{Alarms: []string{"meter/*"}}, 404},
		{"outside the scope, in full", "pump/p-7/a-p7", pulsenode.Grants{Alarms: []string{"meter/*"}}, 404},
		{"no alarms patterns", "a-m1", pulsenode.Grants{RowData: []string{"*"}}, 404},
		{"unknown", "nope", pulsenode.Grants{Alarms: []string{"*"}}, 404},
		{"unknown, in full", "pump/p-7/nope", pulsenode.Grants{Alarms: []string{"*"}}, 404},
	} {
		status, env, items := alarmEvents(t, n, tc.id, pulsenode.Bearer(pulsenode.Token(t, "pat", tc.g)))
		if status != tc.status || (status == 200 && len(items) != 1) {
			t.Errorf("%s: %d %+v %d events, want %d", tc.name, status, env, len(items), tc.status)
		}
		// Out of scope looks exactly like unknown: the same code, and a message of the same shape.
		if status == 404 && (env.Code != consts.CodeNotFound.Code() || env.Message != `alarm "`+tc.id+`" not found`) {
			t.Errorf("%s: %+v, want code 65 and the message of an unknown alarm", tc.name, env)
		}
	}
	if status, _, h := n.Call(http.MethodGet, "/api/v1/alarms/a-m1/events", nil, ""); status != 401 || h.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("no token: %d, want 401", status)
	}
}
