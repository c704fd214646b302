package alarm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

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
