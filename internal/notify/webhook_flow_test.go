package notify_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

var msgID = regexp.MustCompile(`^msg_[a-z2-7]{26}$`)

// TestNotifyWebhookLifecycle: a raise, a repeat at a higher level, an acknowledgement and a clear
// reach a webhook receiver signed with both secrets, in seq order, each with a stable id; a repeat
// at the same level and an alarm matching no route notify nobody.
func TestNotifyWebhookLifecycle(t *testing.T) {
	eachLink(t, "pulse_notify_life", func(t *testing.T, link string) {
		r := pulsenode.NewReceiver(t)
		routes := []notify.Route{{Name: "meters", Match: notify.Match{Businesses: []string{"meter/*"}}, To: []string{"hook0"}, Resolved: true}}
		n := pulsenode.StartWith(t, func(c *config.Config) {
			pulsenode.WithNotify(routes, r)(c)
			if link != "" {
				c.Database = gdb.ConfigNode{Link: link}
			}
		}, pulsenode.FastNotify)
		n.Raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"minor","title":"t"}]}`)
		n.Raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"minor","title":"t again"}]}`)
		n.Raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"critical","title":"worse"}]}`)
		n.Raise(`{"items":[{"alarmId":"x","businessType":"pump","businessId":"p-1","level":"critical","title":"unrouted"}]}`)
		// One at a time, so that none supersedes another.
		poll.Eventually(t, func() bool { return len(r.Delivered()) >= 1 }, "raised not delivered: %+v", r.Calls())
		n.MustPost("/api/v1/alarms/meter/m-1/a1/ack", `{"user":"alice"}`)
		poll.Eventually(t, func() bool { return pulsenode.HasKind(r.Delivered(), "alarm.acked") }, "acked not delivered")
		n.MustPost("/api/v1/alarms/meter/m-1/a1/clear", `{"user":"alice"}`)
		poll.Eventually(t, func() bool { return pulsenode.HasKind(r.Delivered(), "alarm.cleared") }, "cleared not delivered")
		calls := r.Delivered()
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

// TestNotifyRetries: a 503 with Retry-After is retried after it (a receiver answering 503
// without it is retried with back-off three times meanwhile, and delivered first); a 404 is
// permanent, never retried; every attempt is a record whose error holds scheme, host and status
// but not the URL's path or query.
func TestNotifyRetries(t *testing.T) {
	eachLink(t, "pulse_notify_retry", func(t *testing.T, link string) {
		later, flaky, gone := pulsenode.NewReceiver(t), pulsenode.NewReceiver(t), pulsenode.NewReceiver(t)
		later.Answer = func(n int, _ pulsenode.HookCall) (int, http.Header) {
			if n == 0 {
				return http.StatusServiceUnavailable, http.Header{"Retry-After": {"4"}}
			}
			return http.StatusOK, nil
		}
		flaky.Answer = func(n int, _ pulsenode.HookCall) (int, http.Header) {
			if n < 3 {
				return http.StatusServiceUnavailable, nil
			}
			return http.StatusOK, nil
		}
		gone.Answer = func(int, pulsenode.HookCall) (int, http.Header) { return http.StatusNotFound, nil }
		routes := []notify.Route{{Name: "all", To: []string{"hook0", "hook1", "hook2"}}}
		var order []string // which receiver delivered, in order
		var mu sync.Mutex
		for i, r := range []*pulsenode.Receiver{later, flaky} {
			inner := r.Answer
			r.Answer = func(n int, c pulsenode.HookCall) (int, http.Header) {
				s, h := inner(n, c)
				if s == http.StatusOK {
					mu.Lock()
					order = append(order, pulsenode.HookName(i))
					mu.Unlock()
				}
				return s, h
			}
		}
		n := pulsenode.StartWith(t, func(c *config.Config) {
			pulsenode.WithNotify(routes, later, flaky, gone)(c)
			if link != "" {
				c.Database = gdb.ConfigNode{Link: link}
			}
		}, pulsenode.FastNotify)
		n.Raise(`{"items":[{"alarmId":"r1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		poll.Eventually(t, func() bool {
			return len(later.Delivered()) == 1 && len(flaky.Delivered()) == 1 && len(gone.Calls()) == 1
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
			records = n.Deliveries("meter", "m-1", "r1")
			return len(records) == 7
		}, "records: %+v", records)
		if got := strings.Join(pulsenode.Statuses(records, "hook0"), ","); got != "retrying,sent" {
			t.Errorf("hook0: %s", got)
		}
		if got := strings.Join(pulsenode.Statuses(records, "hook1"), ","); got != "retrying,retrying,retrying,sent" {
			t.Errorf("hook1: %s", got)
		}
		if got := strings.Join(pulsenode.Statuses(records, "hook2"), ","); got != "failed" {
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
		metrics := n.MetricsText()
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
		n.Raise(`{"items":[{"alarmId":"r2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		poll.Eventually(t, func() bool { return len(gone.Calls()) == 2 }, "the second alarm did not reach hook2")
		if status, env := n.Get("/api/v1/alarms/meter/m-1/nope/deliveries", nil); status != http.StatusNotFound {
			t.Errorf("deliveries of an unknown alarm: %d %+v", status, env)
		}
	})
}

// TestNotifyGoneDisablesTheOutlet: a webhook answering 410 Gone is not sent to again (until the
// node restarts): the next notifications fail at once, recorded as such.
func TestNotifyGoneDisablesTheOutlet(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	r.Answer = func(int, pulsenode.HookCall) (int, http.Header) { return http.StatusGone, nil }
	n := pulsenode.StartWith(t, pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}}}, r), pulsenode.FastNotify)
	n.Raise(`{"items":[{"alarmId":"g1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool { return len(n.Deliveries("meter", "m-1", "g1")) == 1 }, "no record of g1")
	n.Raise(`{"items":[{"alarmId":"g2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	var records []notify.Record
	poll.Eventually(t, func() bool {
		records = n.Deliveries("meter", "m-1", "g2")
		return len(records) == 1
	}, "no record of g2")
	if records[0].Status != notify.StatusFailed || !strings.Contains(records[0].Error, "outlet disabled") || len(r.Calls()) != 1 {
		t.Errorf("after a 410: record %+v, %d calls", records[0], len(r.Calls()))
	}
}
