package app_test

import (
	"regexp"
	"strings"
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
