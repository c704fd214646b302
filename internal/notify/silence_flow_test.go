package notify_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// callsOf are the kinds ("alarm.raised", ...) of the calls that carry alarmId, in order.
func callsOf(calls []pulsenode.HookCall, alarmId string) []string {
	var out []string
	for _, c := range calls {
		for _, a := range c.Body.Data.Alarms {
			if a.AlarmId == alarmId {
				out = append(out, c.Body.Type)
			}
		}
	}
	return out
}

// kindsRecorded are the kinds of an alarm's delivery records, each once, in order.
func kindsRecorded(records []notify.Record) []string {
	var out []string
	for _, r := range records {
		if len(out) == 0 || out[len(out)-1] != r.Kind {
			out = append(out, r.Kind)
		}
	}
	return out
}

// TestNotifySilenceHoldsBackUntilItEnds: alarms raised under a silence notify nobody (no
// notification is even planned: no delivery record); deleting the silence notifies "unsilenced"
// for the alarm still active, and nothing for the one acknowledged meanwhile; an alarm the silence
// does not select is notified as usual. SQLite, MariaDB and PostgreSQL.
func TestNotifySilenceHoldsBackUntilItEnds(t *testing.T) {
	eachLink(t, "pulse_notify_silence", func(t *testing.T, link string) {
		r := pulsenode.NewReceiver(t)
		routes := []notify.Route{{Name: "meters", Match: notify.Match{Businesses: []string{"meter/*"}}, To: []string{"hook0"}, Resolved: true}}
		n := pulsenode.StartWith(t, func(c *config.Config) {
			pulsenode.WithNotify(routes, r)(c)
			if link != "" {
				c.Database = gdb.ConfigNode{Link: link}
			}
		}, pulsenode.FastNotify)
		sil := pulsenode.SilenceOf(t, n.MustPost("/api/v1/silences", `{"matchers":{"businesses":["meter/m-1"]},"endsAt":99999999999999,"comment":"maintenance"}`))
		n.Raise(`{"items":[{"alarmId":"held","businessType":"meter","businessId":"m-1","level":"critical","title":"t"},
			{"alarmId":"acked","businessType":"meter","businessId":"m-1","level":"critical","title":"t"}]}`)
		n.MustPost("/api/v1/alarms/meter/m-1/acked/ack", `{"user":"alice"}`)
		n.Raise(`{"alarmId":"free","businessType":"meter","businessId":"m-2","level":"critical","title":"t"}`)
		poll.Eventually(t, func() bool { return len(callsOf(r.Delivered(), "free")) == 1 }, "the alarm outside the silence was not notified")
		for _, id := range []string{"held", "acked"} {
			if got := n.Deliveries("meter", "m-1", id); len(got) != 0 || len(callsOf(r.Calls(), id)) != 0 {
				t.Fatalf("%s notified under the silence: records %+v, calls %v", id, got, callsOf(r.Calls(), id))
			}
		}
		if status, env, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+sil.ID, nil, ""); status != http.StatusOK {
			t.Fatalf("DELETE the silence: %d %+v", status, env)
		}
		poll.Eventually(t, func() bool { return len(callsOf(r.Delivered(), "held")) == 1 }, "held not notified when its silence ended")
		if got := callsOf(r.Delivered(), "held"); got[0] != "alarm.unsilenced" {
			t.Errorf("held: %v, want alarm.unsilenced", got)
		}
		var records []notify.Record
		poll.Eventually(t, func() bool {
			records = n.Deliveries("meter", "m-1", "held")
			return len(records) > 0 && records[len(records)-1].Status == notify.StatusSent
		}, "held's records %+v", records)
		if got := strings.Join(kindsRecorded(records), ","); got != "unsilenced" {
			t.Errorf("held's records are of %s, want unsilenced only (its raise was under the silence)", got)
		}
		// The unsilenced events of both alarms were planned in one commit: had acked's made a
		// notification it would be recorded by the time held's is.
		if got := n.Deliveries("meter", "m-1", "acked"); len(got) != 0 {
			t.Errorf("the acknowledged alarm was notified when its silence ended: %+v", got)
		}
	})
}

// TestNotifyAckURLAcknowledges: with notify.publicUrl and notify.linkKeys set, every webhook
// notification's alarm carries an ackUrl (the contract: each notification, whatever its kind); a
// form POST to the raised one's acknowledges the alarm as link:<outlet>:<target>, which is notified
// in turn, with a link too. The link of the cleared notification never acknowledges the alarm raised
// again after it (409, the alarm stays active). SQLite, MariaDB and PostgreSQL.
func TestNotifyAckURLAcknowledges(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("ack-link-key-of-32-bytes-or-more!"))
	eachLink(t, "pulse_notify_acklink", func(t *testing.T, link string) {
		r := pulsenode.NewReceiver(t)
		n := pulsenode.StartWith(t, func(c *config.Config) {
			pulsenode.WithNotify([]notify.Route{{Name: "all", To: []string{"hook0"}, Resolved: true}}, r)(c)
			c.Notify.PublicURL, c.Notify.LinkKeys = "https://pulse.example.com", []string{key}
			if link != "" {
				c.Database = gdb.ConfigNode{Link: link}
			}
		}, pulsenode.FastNotify)
		post := func(ackURL string) (int, string) {
			t.Helper()
			u, err := url.Parse(ackURL)
			if err != nil || !strings.HasPrefix(ackURL, "https://pulse.example.com/ack/") {
				t.Fatalf("ackUrl %q (%v)", ackURL, err)
			}
			resp, err := http.Post(n.Base+u.Path, "application/x-www-form-urlencoded", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(page)
		}
		n.Raise(`{"alarmId":"k1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}`)
		poll.Eventually(t, func() bool { return len(r.Delivered()) == 1 }, "not notified")
		if code, page := post(r.Delivered()[0].Body.Data.Alarms[0].AckURL); code != http.StatusOK || !strings.Contains(page, "Acknowledged") {
			t.Fatalf("POST the ack link: %d %s", code, page)
		}
		if got := n.StoredAlarm("k1"); got == nil || got.Status != model.StatusAcked || got.AckedBy != "link:hook0:" {
			t.Fatalf("after the link: %+v", got)
		}
		poll.Eventually(t, func() bool { return pulsenode.HasKind(r.Delivered(), "alarm.acked") }, "the acknowledgement not notified")
		n.MustPost("/api/v1/alarms/meter/m-1/k1/clear", `{"user":"a"}`)
		poll.Eventually(t, func() bool { return pulsenode.HasKind(r.Delivered(), "alarm.cleared") }, "the clear not notified")
		links := map[string]string{}
		for _, c := range r.Delivered() {
			links[c.Body.Type] = c.Body.Data.Alarms[0].AckURL
		}
		for _, kind := range []string{"alarm.raised", "alarm.acked", "alarm.cleared"} {
			if !strings.HasPrefix(links[kind], "https://pulse.example.com/ack/") {
				t.Errorf("%s carries ackUrl %q", kind, links[kind])
			}
		}
		n.Raise(`{"alarmId":"k1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}`)
		if code, page := post(links["alarm.cleared"]); code != http.StatusConflict {
			t.Errorf("the cleared notification's link on the alarm raised again: %d %s, want 409", code, page)
		}
		if got := n.StoredAlarm("k1"); got == nil || got.Status != model.StatusActive {
			t.Fatalf("the alarm raised again after the cleared link was used: %+v", got)
		}
	})
}
