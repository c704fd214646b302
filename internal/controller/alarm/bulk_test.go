package alarm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// bulkRef is one alarm of a bulk body.
func bulkRef(typ, id, alarmId string) map[string]string {
	return map[string]string{"businessType": typ, "businessId": id, "alarmId": alarmId}
}

// bulkBody is the JSON of a bulk acknowledgement or clear.
func bulkBody(t *testing.T, comment string, refs ...map[string]string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"alarms": refs, "comment": comment})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBulkAckAndClear: POST /api/v1/alarms/ack acknowledges each alarm it names on its own, in the
// body's order: an unknown alarm and one outside the token's patterns are refused alike (404), a
// cleared one is a conflict (409), the others are acknowledged with the comment, and a console
// receives each acked event. The request counts once toward auth.userRate (0.5: a burst of one
// request per user). A token without "ack" is refused whole (403); a body that is not valid (no
// alarms, 501 of them, an alarm without an id, a comment over 1 KiB) is refused whole (400) and
// changes nothing. POST /api/v1/alarms/clear clears likewise; a cleared alarm stays as it is.
func TestBulkAckAndClear(t *testing.T) {
	n := pulsenode.StartAuth(t, func(c *config.Config) { c.Auth.UserRate = 0.5 })
	everything := pulsenode.Grants{Alarms: []string{"*"}, Ack: true}
	console := n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "watcher", pulsenode.Grants{Alarms: []string{"*"}})))
	pulsenode.RaiseAs(t, n, "all-alarms", "a-1", "meter", "m-1")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-2", "meter", "m-2")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-3", "meter", "m-3")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-4", "pump", "p-1")
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/alarms/meter/m-3/a-3/clear", pulsenode.Bearer(pulsenode.Token(t, "root", everything)), `{}`); status != 200 {
		t.Fatalf("clear a-3: %d %+v", status, env)
	}
	for range 5 {
		console.Next(pulsenode.Patience) // 4 raised, 1 cleared
	}

	// Refused whole: nothing changes, and no console hears of it.
	sub := 0
	as := func(g pulsenode.Grants) http.Header {
		sub++
		return pulsenode.Bearer(pulsenode.Token(t, fmt.Sprint("user-", sub), g))
	}
	meters := pulsenode.Grants{Alarms: []string{"meter/*"}, Ack: true}
	tooMany := make([]map[string]string, 501)
	for i := range tooMany {
		tooMany[i] = bulkRef("meter", "m-1", "a-1")
	}
	for _, tc := range []struct {
		name, body string
		g          pulsenode.Grants
		status     int
	}{
		{"without ack", bulkBody(t, "", bulkRef("meter", "m-1", "a-1")), pulsenode.Grants{Alarms: []string{"*"}}, 403},
		{"no alarms field", `{"comment":"x"}`, meters, 400},
		{"no alarms", bulkBody(t, ""), meters, 400},
		{"501 alarms", bulkBody(t, "", tooMany...), meters, 400},
		{"an alarm without its id", bulkBody(t, "", bulkRef("meter", "m-1", "a-1"), bulkRef("meter", "m-2", "")), meters, 400},
		{"a comment of 1025 bytes", bulkBody(t, strings.Repeat("c", 1025), bulkRef("meter", "m-1", "a-1")), meters, 400},
		{"an unknown field", `{"alarms":[{"businessType":"meter","businessId":"m-1","alarmId":"a-1","x":1}]}`, meters, 400},
	} {
		status, env, _ := n.Call(http.MethodPost, "/api/v1/alarms/ack", as(tc.g), tc.body)
		if status != tc.status {
			t.Errorf("%s: %d %+v, want %d", tc.name, status, env, tc.status)
		}
	}

	body := bulkBody(t, "storm: on it", bulkRef("meter", "m-1", "a-1"), bulkRef("meter", "m-9", "nope"),
		bulkRef("pump", "p-1", "a-4"), bulkRef("meter", "m-3", "a-3"), bulkRef("meter", "m-2", "a-2"))
	status, env, _ := n.Call(http.MethodPost, "/api/v1/alarms/ack", pulsenode.Bearer(pulsenode.Token(t, "maria", meters)), body)
	var res v1.BulkAckRes
	if err := json.Unmarshal(env.Data, &res); status != 200 || err != nil || len(res.Items) != 5 {
		t.Fatalf("bulk ack: %d %+v", status, env)
	}
	want := []struct {
		alarm  string
		ok     bool
		status int
	}{{"a-1", true, 0}, {"nope", false, 404}, {"a-4", false, 404}, {"a-3", false, 409}, {"a-2", true, 0}}
	for i, w := range want {
		it := res.Items[i]
		if it.AlarmId != w.alarm || it.Ok != w.ok || it.Status != w.status {
			t.Errorf("item %d: %+v, want %s ok=%v status %d", i, it, w.alarm, w.ok, w.status)
		}
		if it.Ok && (it.Alarm == nil || it.Alarm.Status != "acked" || it.Alarm.AckedBy != "maria" || it.Alarm.AckComment != "storm: on it") {
			t.Errorf("item %d: alarm %+v, want acked by maria with the comment", i, it.Alarm)
		}
	}
	if res.Items[2].Code != 65 || res.Items[2].Message != `alarm "pump/p-1/a-4" not found` || res.Items[1].Code != 65 {
		t.Errorf("out of scope: %+v, want the answer of an unknown alarm (code 65, not found)", res.Items[2])
	}
	if res.Items[3].Code != 1409 {
		t.Errorf("cleared: %+v, want code 1409", res.Items[3])
	}
	for _, id := range []string{"a-1", "a-2"} {
		o := console.Next(pulsenode.Patience)
		if a := pulsenode.AlarmOf(t, o); o.Event != "acked" || a.AlarmId != id || a.AckComment != "storm: on it" {
			t.Fatalf("the console received %s, want %s acked with the comment", o.Raw, id)
		}
	}

	// Clear: a cleared alarm is fine as it is; the out-of-scope one was not touched above.
	body = bulkBody(t, "fixed", bulkRef("meter", "m-1", "a-1"), bulkRef("meter", "m-3", "a-3"), bulkRef("pump", "p-1", "a-4"))
	status, env, _ = n.Call(http.MethodPost, "/api/v1/alarms/clear", pulsenode.Bearer(pulsenode.Token(t, "carl", everything)), body)
	var cleared v1.BulkClearRes
	if err := json.Unmarshal(env.Data, &cleared); status != 200 || err != nil || len(cleared.Items) != 3 {
		t.Fatalf("bulk clear: %d %+v", status, env)
	}
	for i, it := range cleared.Items {
		if !it.Ok || it.Alarm.Status != "cleared" {
			t.Errorf("clear item %d: %+v", i, it)
		}
	}
	if a := cleared.Items[2].Alarm; a.AckedBy != "" || a.ClearedBy != "carl" || a.ClearComment != "fixed" {
		t.Errorf("a-4, out of maria's scope, was changed by her acknowledgement, or the clear is wrong: %+v", a)
	}
	if a := cleared.Items[1].Alarm; a.ClearedBy != "root" || a.ClearComment != "" {
		t.Errorf("a-3, cleared before: %+v, want it as it was", a)
	}
	for _, id := range []string{"a-1", "a-4"} {
		o := console.Next(pulsenode.Patience)
		if a := pulsenode.AlarmOf(t, o); o.Event != "cleared" || a.AlarmId != id || a.ClearComment != "fixed" {
			t.Fatalf("the console received %s, want %s cleared", o.Raw, id)
		}
	}
}
