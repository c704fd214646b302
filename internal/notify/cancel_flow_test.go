package notify_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// cancelled are "kind step outlet: reason" of an alarm's cancelled records, in order.
func cancelled(records []notify.Record) []string {
	var out []string
	for _, r := range records {
		if r.Status == notify.StatusCancelled {
			out = append(out, fmt.Sprintf("%s %s %s: %s", r.Kind, r.Step, r.Outlet, r.Reason))
		}
	}
	return out
}

// TestNotifyCancelledAreRecorded: the reminder and escalation an acknowledgement or a clear stops
// are delivery records of status cancelled naming why (acknowledged, cleared), with the step and
// outlet they were for and no attempt; those a silence holds back are recorded as cancelled "silenced
// by <id>" when they come due, and nothing is sent.
func TestNotifyCancelledAreRecorded(t *testing.T) {
	hook, mail := pulsenode.NewReceiver(t), pulsenode.NewReceiver(t)
	routes := []notify.Route{
		{Name: "slow", Match: notify.Match{Businesses: []string{"meter/*"}}, To: []string{"hook0"}, RepeatInterval: time.Hour,
			Escalate: []notify.Step{{Name: "later", After: time.Hour, To: []string{"hook1"}}}},
		{Name: "fast", Match: notify.Match{Businesses: []string{"pump/*"}}, To: []string{"hook0"}, RepeatInterval: 200 * time.Millisecond,
			Escalate: []notify.Step{{Name: "soon", After: 500 * time.Millisecond, To: []string{"hook1"}}}},
	}
	n := pulsenode.StartWith(t, pulsenode.WithNotify(routes, hook, mail), pulsenode.FastNotify)
	n.Raise(`{"items":[{"alarmId":"c-ack","businessType":"meter","businessId":"m-1","level":"major","title":"t"},
		{"alarmId":"c-clear","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool { return len(hook.Delivered()) == 2 }, "raises not delivered: %v", pulsenode.KindsOf(hook.Delivered()))
	n.MustPost("/api/v1/alarms/meter/m-1/c-ack/ack", `{"user":"a"}`)
	n.MustPost("/api/v1/alarms/meter/m-1/c-clear/clear", `{"user":"a"}`)
	for id, reason := range map[string]string{"c-ack": "acknowledged", "c-clear": "cleared"} {
		records := n.Deliveries("meter", "m-1", id)
		got := strings.Join(cancelled(records), "; ")
		want := "reminder  hook0: " + reason + "; escalated later hook1: " + reason
		if got != want {
			t.Errorf("%s: cancelled %q, want %q (records %+v)", id, got, want, records)
		}
		for _, r := range records {
			if r.Status == notify.StatusCancelled && (r.Attempt != 0 || r.Error != "" || !strings.HasPrefix(r.Notification, "msg_")) {
				t.Errorf("%s: cancelled record %+v", id, r)
			}
		}
	}

	// A silence over an active alarm: its reminders and its escalation come due and are cancelled.
	n.Raise(`{"alarmId":"c-held","businessType":"pump","businessId":"p-1","level":"major","title":"t"}`)
	poll.Eventually(t, func() bool { return pulsenode.HasKind(hook.Delivered(), "alarm.raised") }, "not raised")
	sil := pulsenode.SilenceOf(t, n.MustPost("/api/v1/silences", `{"matchers":{"alarmIds":["c-held"]},"endsAt":99999999999999,"comment":"m"}`))
	var records []notify.Record
	poll.Eventually(t, func() bool {
		records = n.Deliveries("pump", "p-1", "c-held")
		got := strings.Join(cancelled(records), "; ")
		return strings.Contains(got, "reminder  hook0: silenced by "+sil.ID) && strings.Contains(got, "escalated soon hook1: silenced by "+sil.ID)
	}, "no cancelled reminder and escalation under the silence: %+v", records)
	sentBefore := len(hook.Calls())
	if got := callsOf(mail.Calls(), "c-held"); len(got) != 0 {
		t.Errorf("escalated under the silence: %v", got)
	}
	if status, env, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+sil.ID, nil, ""); status != http.StatusOK {
		t.Fatalf("DELETE the silence: %d %+v", status, env)
	}
	// After the silence the reminders go out again (the escalation step was over).
	poll.Eventually(t, func() bool { return len(hook.Calls()) > sentBefore+1 }, "no reminder after the silence")
}
