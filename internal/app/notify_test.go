package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

var msgID = regexp.MustCompile(`^msg_[a-z2-7]{26}$`)

// TestNotifyWebhookLifecycle: a raise, a repeat at a higher level, an acknowledgement and a clear
// reach a webhook receiver signed with both secrets, in seq order, each with a stable id; a repeat
// at the same level and an alarm matching no route notify nobody.
func TestNotifyWebhookLifecycle(t *testing.T) {
	eachLink(t, "pulse_notify_life", func(t *testing.T, link string) {
		r := newReceiver(t)
		routes := []notify.Route{{Name: "meters", Match: notify.Match{Businesses: []string{"meter/*"}}, To: []string{"hook0"}, Resolved: true}}
		n := startNodeWith(t, func(c *config.Config) {
			withNotify(routes, r)(c)
			if link != "" {
				c.Database = gdb.ConfigNode{Link: link}
			}
		}, fastNotify)
		n.raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"minor","title":"t"}]}`)
		n.raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"minor","title":"t again"}]}`)
		n.raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"critical","title":"worse"}]}`)
		n.raise(`{"items":[{"alarmId":"x","businessType":"pump","businessId":"p-1","level":"critical","title":"unrouted"}]}`)
		// One at a time, so that none supersedes another.
		poll.Eventually(t, func() bool { return len(r.delivered()) >= 1 }, "raised not delivered: %+v", r.Calls())
		n.mustPost("/api/v1/alarms/meter/m-1/a1/ack", `{"user":"alice"}`)
		poll.Eventually(t, func() bool { return hasKind(r.delivered(), "alarm.acked") }, "acked not delivered")
		n.mustPost("/api/v1/alarms/meter/m-1/a1/clear", `{"user":"alice"}`)
		poll.Eventually(t, func() bool { return hasKind(r.delivered(), "alarm.cleared") }, "cleared not delivered")
		calls := r.delivered()
		var kinds []string
		var seqs []int64
		ids := map[string]bool{}
		for _, c := range calls {
			kinds = append(kinds, c.Body.Type)
			if !c.Signed || !c.SignedOld || !msgID.MatchString(c.ID) || c.Body.Data.Route != "meters" {
				t.Errorf("call %+v: signed %v, signed with the old secret %v", c.Body, c.Signed, c.SignedOld)
			}
			if ids[c.ID] {
				t.Errorf("two notifications with the id %s", c.ID)
			}
			ids[c.ID] = true
			for _, a := range c.Body.Data.Alarms {
				if a.BusinessType != "meter" {
					t.Errorf("unrouted alarm notified: %+v", a)
				}
				seqs = append(seqs, a.Seq)
			}
		}
		// The first raise and the repeat at a higher level may leave as one (the later supersedes).
		got := strings.Join(kinds, ",")
		if got != "alarm.raised,alarm.repeated,alarm.acked,alarm.cleared" && got != "alarm.repeated,alarm.acked,alarm.cleared" &&
			got != "alarm.raised,alarm.acked,alarm.cleared" {
			t.Errorf("kinds %s", got)
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Errorf("seqs out of order: %v", seqs)
			}
		}
		if strings.Count(got, "repeated") > 1 {
			t.Errorf("a repeat at the same level notified: %s", got)
		}
		t.Logf("delivered: %s", got)
	})
}

func hasKind(calls []hookCall, kind string) bool {
	for _, c := range calls {
		if c.Body.Type == kind {
			return true
		}
	}
	return false
}

// deliveries is GET .../deliveries of an alarm.
func (n *node) deliveries(typ, id, alarmId string) []notify.Record {
	n.t.Helper()
	status, env := n.get("/api/v1/alarms/"+typ+"/"+id+"/"+alarmId+"/deliveries", nil)
	if status != http.StatusOK {
		n.t.Fatalf("deliveries: %d %+v", status, env)
	}
	var res struct{ Items []notify.Record }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		n.t.Fatal(err)
	}
	return res.Items
}

// statuses are the records' outlet:status, in order, of one outlet.
func statuses(records []notify.Record, outlet string) []string {
	var out []string
	for _, r := range records {
		if r.Outlet == outlet {
			out = append(out, r.Status)
		}
	}
	return out
}

// TestNotifyRetries: a 503 with Retry-After is retried after it (a receiver answering 503
// without it is retried with back-off three times meanwhile, and delivered first); a 404 is
// permanent, never retried; every attempt is a record whose error holds scheme, host and status
// but not the URL's path or query.
func TestNotifyRetries(t *testing.T) {
	eachLink(t, "pulse_notify_retry", func(t *testing.T, link string) {
		later, flaky, gone := newReceiver(t), newReceiver(t), newReceiver(t)
		later.answer = func(n int, _ hookCall) (int, http.Header) {
			if n == 0 {
				return http.StatusServiceUnavailable, http.Header{"Retry-After": {"4"}}
			}
			return http.StatusOK, nil
		}
		flaky.answer = func(n int, _ hookCall) (int, http.Header) {
			if n < 3 {
				return http.StatusServiceUnavailable, nil
			}
			return http.StatusOK, nil
		}
		gone.answer = func(int, hookCall) (int, http.Header) { return http.StatusNotFound, nil }
		routes := []notify.Route{{Name: "all", To: []string{"hook0", "hook1", "hook2"}}}
		var order []string // which receiver delivered, in order
		var mu sync.Mutex
		for i, r := range []*receiver{later, flaky} {
			inner := r.answer
			r.answer = func(n int, c hookCall) (int, http.Header) {
				s, h := inner(n, c)
				if s == http.StatusOK {
					mu.Lock()
					order = append(order, hookName(i))
					mu.Unlock()
				}
				return s, h
			}
		}
		n := startNodeWith(t, func(c *config.Config) {
			withNotify(routes, later, flaky, gone)(c)
			if link != "" {
				c.Database = gdb.ConfigNode{Link: link}
			}
		}, fastNotify)
		n.raise(`{"items":[{"alarmId":"r1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		poll.Eventually(t, func() bool {
			return len(later.delivered()) == 1 && len(flaky.delivered()) == 1 && len(gone.Calls()) == 1
		},
			"not delivered: later %d, flaky %d, gone %d", len(later.Calls()), len(flaky.Calls()), len(gone.Calls()))
		mu.Lock()
		if strings.Join(order, ",") != "hook1,hook0" {
			t.Errorf("delivered in the order %v: the Retry-After of hook0 was not waited for", order)
		}
		mu.Unlock()
		if len(later.Calls()) != 2 || len(flaky.Calls()) != 4 {
			t.Errorf("calls: later %d (want 2), flaky %d (want 4)", len(later.Calls()), len(flaky.Calls()))
		}
		var records []notify.Record
		poll.Eventually(t, func() bool {
			records = n.deliveries("meter", "m-1", "r1")
			return len(records) == 7
		}, "records: %+v", records)
		if got := strings.Join(statuses(records, "hook0"), ","); got != "retrying,sent" {
			t.Errorf("hook0: %s", got)
		}
		if got := strings.Join(statuses(records, "hook1"), ","); got != "retrying,retrying,retrying,sent" {
			t.Errorf("hook1: %s", got)
		}
		if got := strings.Join(statuses(records, "hook2"), ","); got != "failed" {
			t.Errorf("hook2: %s", got)
		}
		for _, r := range records {
			if strings.Contains(r.Error, "secret") || (r.Status != "sent" && !strings.Contains(r.Error, "http://127.0.0.1:")) {
				t.Errorf("record error %q", r.Error)
			}
			if r.Status == "failed" && !strings.Contains(r.Error, "404") {
				t.Errorf("record error %q has no status", r.Error)
			}
			if !msgID.MatchString(r.Notification) || r.Attempt < 1 {
				t.Errorf("record %+v", r)
			}
		}
		metrics := n.metricsText()
		for _, want := range []string{`pulse_notify_sent_total{outlet="hook0"} 1`, `pulse_notify_sent_total{outlet="hook1"} 1`,
			`pulse_notify_retries_total{outlet="hook1"} 3`, `pulse_notify_retries_total{outlet="hook0"} 1`,
			`pulse_notify_failed_total{outlet="hook2"} 1`, `pulse_notify_pending{outlet="hook0"} 0`, "pulse_notify_unrouted_total 0"} {
			if !strings.Contains(metrics, want+"\n") {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// Still the same notification id on every attempt.
		if c := flaky.Calls(); c[0].ID != c[3].ID || later.Calls()[0].ID != later.Calls()[1].ID {
			t.Errorf("ids change between attempts")
		}
		// Another alarm's notification to the failing receiver is tried on its own (not held up).
		n.raise(`{"items":[{"alarmId":"r2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		poll.Eventually(t, func() bool { return len(gone.Calls()) == 2 }, "the second alarm did not reach hook2")
		if status, env := n.get("/api/v1/alarms/meter/m-1/nope/deliveries", nil); status != http.StatusNotFound {
			t.Errorf("deliveries of an unknown alarm: %d %+v", status, env)
		}
	})
}

// TestNotifyGoneDisablesTheOutlet: a webhook answering 410 Gone is not sent to again (until the
// node restarts): the next notifications fail at once, recorded as such.
func TestNotifyGoneDisablesTheOutlet(t *testing.T) {
	r := newReceiver(t)
	r.answer = func(int, hookCall) (int, http.Header) { return http.StatusGone, nil }
	n := startNodeWith(t, withNotify([]notify.Route{{Name: "r", To: []string{"hook0"}}}, r), fastNotify)
	n.raise(`{"items":[{"alarmId":"g1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool { return len(n.deliveries("meter", "m-1", "g1")) == 1 }, "no record of g1")
	n.raise(`{"items":[{"alarmId":"g2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	var records []notify.Record
	poll.Eventually(t, func() bool {
		records = n.deliveries("meter", "m-1", "g2")
		return len(records) == 1
	}, "no record of g2")
	if records[0].Status != notify.StatusFailed || !strings.Contains(records[0].Error, "outlet disabled") || len(r.Calls()) != 1 {
		t.Errorf("after a 410: record %+v, %d calls", records[0], len(r.Calls()))
	}
}

// TestNotifyTestEndpoint: POST /api/v1/notify/test sends a test notification and answers what the
// receiver said; an unknown outlet is 404.
func TestNotifyTestEndpoint(t *testing.T) {
	ok, refusing := newReceiver(t), newReceiver(t)
	refusing.answer = func(int, hookCall) (int, http.Header) { return http.StatusForbidden, nil }
	n := startNodeWith(t, withNotify([]notify.Route{{Name: "r", To: []string{"hook0"}}}, ok, refusing), fastNotify)
	env := n.mustPost("/api/v1/notify/test", `{"outlet":"hook0"}`)
	if !strings.Contains(string(env.Data), `"ok":true`) || len(ok.Calls()) != 1 || ok.Calls()[0].Body.Type != "alarm.test" || !ok.Calls()[0].Signed {
		t.Errorf("test of hook0: %s, calls %+v", env.Data, ok.Calls())
	}
	env = n.mustPost("/api/v1/notify/test", `{"outlet":"hook1"}`)
	if !strings.Contains(string(env.Data), `"ok":false`) || !strings.Contains(string(env.Data), `"status":403`) || strings.Contains(string(env.Data), "secret") {
		t.Errorf("test of hook1: %s", env.Data)
	}
	if status, env := n.post("/api/v1/notify/test", `{"outlet":"nope"}`); status != http.StatusNotFound {
		t.Errorf("unknown outlet: %d %+v", status, env)
	}
	if status, env := n.post("/api/v1/notify/test", `{}`); status != http.StatusBadRequest {
		t.Errorf("no outlet: %d %+v", status, env)
	}
}

// metricsText is GET /metrics.
func (n *node) metricsText() string {
	n.t.Helper()
	resp, err := http.Get(n.base + "/metrics")
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
