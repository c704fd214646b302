package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestNotifyBacklogSendsTheLatestState: while a receiver fails, an alarm is acknowledged and
// cleared; when it recovers it gets the cleared state only, and the superseded notifications are
// recorded as such.
func TestNotifyBacklogSendsTheLatestState(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	var open atomic.Bool
	r.Answer = func(int, pulsenode.HookCall) (int, http.Header) {
		if open.Load() {
			return http.StatusOK, nil
		}
		return http.StatusServiceUnavailable, nil
	}
	n := pulsenode.StartWith(t, pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}, Resolved: true}}, r), pulsenode.FastNotify)
	n.Raise(`{"items":[{"alarmId":"b1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool { return len(r.Calls()) >= 1 }, "nothing tried")
	n.MustPost("/api/v1/alarms/meter/m-1/b1/ack", `{"user":"a"}`)
	n.MustPost("/api/v1/alarms/meter/m-1/b1/clear", `{"user":"a"}`)
	open.Store(true)
	poll.Eventually(t, func() bool {
		got := pulsenode.KindsOf(r.Delivered())
		return len(got) > 0 && got[len(got)-1] == "b1:cleared"
	}, "the cleared state not delivered: %v", pulsenode.KindsOf(r.Delivered()))
	var records []notify.Record
	poll.Eventually(t, func() bool {
		records = n.Deliveries("meter", "m-1", "b1")
		return len(records) > 0 && records[len(records)-1].Status == "sent"
	}, "records %+v", records)
	// Each state is either delivered or superseded, never both; what is delivered is in seq order.
	// (A state being sent when the next one commits is delivered: only waiting ones are skipped.)
	delivered, superseded := map[string]bool{}, map[string]bool{}
	for _, rec := range records {
		switch rec.Status {
		case notify.StatusSent:
			delivered[rec.Kind] = true
		case notify.StatusSuperseded:
			superseded[rec.Kind] = true
		}
	}
	for _, kind := range []string{"raised", "acked"} {
		if delivered[kind] == superseded[kind] {
			t.Errorf("%s: delivered %v, superseded %v: records %+v", kind, delivered[kind], superseded[kind], records)
		}
	}
	if len(superseded) == 0 {
		t.Errorf("nothing superseded though the receiver was down for three states: %+v", records)
	}
	var seqs []int64
	for _, c := range r.Delivered() {
		seqs = append(seqs, c.Body.Data.Alarms[0].Seq)
	}
	if !slices.IsSorted(seqs) {
		t.Errorf("delivered out of order: %v", pulsenode.KindsOf(r.Delivered()))
	}
}

// TestNotifyGroupsWithinGroupWait: 400 alarms of one group raised within groupWait leave in at
// most two notifications, every alarm in one of them. (1,000 took up to 37 s under -race on a
// busy machine, past the poll's patience; the grouping is the same.)
func TestNotifyGroupsWithinGroupWait(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	route := notify.Route{Name: "g", To: []string{"hook0"}, GroupBy: []string{"businessType"}, GroupWait: 2 * time.Second}
	n := pulsenode.StartWith(t, pulsenode.WithNotify([]notify.Route{route}, r), pulsenode.FastNotify)
	var items []string
	for i := range 400 {
		items = append(items, fmt.Sprintf(`{"alarmId":"g-%d","businessType":"meter","businessId":"m-%d","level":"minor","title":"t"}`, i, i%7))
	}
	n.Raise(`{"items":[` + strings.Join(items[:200], ",") + `]}`)
	n.Raise(`{"items":[` + strings.Join(items[200:], ",") + `]}`)
	seen := map[string]bool{}
	poll.Eventually(t, func() bool {
		for _, c := range r.Delivered() {
			for _, a := range c.Body.Data.Alarms {
				seen[a.AlarmId] = true
			}
		}
		return len(seen) == len(items)
	}, "alarms notified: %d", len(seen))
	calls := r.Delivered()
	if len(calls) > 2 {
		t.Errorf("%d notifications for one group", len(calls))
	}
	for _, c := range calls {
		if c.Body.Data.Group["businessType"] != "meter" || c.Body.Type != "alarm.raised" {
			t.Errorf("group %v type %s", c.Body.Data.Group, c.Body.Type)
		}
	}
}

// TestNotifyRemindersAndEscalationStopOnAck: an active alarm is reminded until acknowledged and
// escalated to the step's outlet; after the acknowledgement neither comes again (a later alarm's
// reminder and escalation arrive, and none of the acknowledged one's after its acked).
func TestNotifyRemindersAndEscalationStopOnAck(t *testing.T) {
	hook, mail := pulsenode.NewReceiver(t), pulsenode.NewReceiver(t)
	route := notify.Route{Name: "r", To: []string{"hook0"}, RepeatInterval: 300 * time.Millisecond,
		Escalate: []notify.Step{{Name: "later", After: 3 * time.Second, To: []string{"hook1"}}}}
	n := pulsenode.StartWith(t, pulsenode.WithNotify([]notify.Route{route}, hook, mail), pulsenode.FastNotify)
	n.Raise(`{"items":[{"alarmId":"e1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool {
		return strings.Count(strings.Join(pulsenode.KindsOf(hook.Delivered()), ","), "e1:reminder") >= 2
	},
		"no reminders: %v", pulsenode.KindsOf(hook.Delivered()))
	n.MustPost("/api/v1/alarms/meter/m-1/e1/ack", `{"user":"a"}`) // before its escalation is due
	poll.Eventually(t, func() bool {
		return strings.Contains(strings.Join(pulsenode.KindsOf(hook.Delivered()), ","), "e1:acked")
	}, "acked not delivered")
	n.Raise(`{"items":[{"alarmId":"e2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool {
		return strings.Contains(strings.Join(pulsenode.KindsOf(mail.Delivered()), ","), "e2:escalated") &&
			strings.Contains(strings.Join(pulsenode.KindsOf(hook.Delivered()), ","), "e2:reminder")
	}, "e2 not reminded and escalated: %v %v", pulsenode.KindsOf(hook.Delivered()), pulsenode.KindsOf(mail.Delivered()))
	got := pulsenode.KindsOf(hook.Delivered())
	acked := -1
	for i, k := range got {
		if k == "e1:acked" {
			acked = i
		}
		if acked >= 0 && i > acked && strings.HasPrefix(k, "e1:") {
			t.Errorf("after its ack e1 got %s: %v", k, got)
		}
	}
	if strings.Contains(strings.Join(pulsenode.KindsOf(mail.Delivered()), ","), "e1:") {
		t.Errorf("e1 escalated after its ack: %v", pulsenode.KindsOf(mail.Delivered()))
	}
	for _, c := range mail.Delivered() {
		if c.Body.Data.Step != "later" {
			t.Errorf("escalation without its step: %+v", c.Body.Data)
		}
	}
	// The step notified of e2 hears of its acknowledgement too.
	n.MustPost("/api/v1/alarms/meter/m-1/e2/ack", `{"user":"a"}`)
	poll.Eventually(t, func() bool {
		return strings.Contains(strings.Join(pulsenode.KindsOf(mail.Delivered()), ","), "e2:acked")
	},
		"the escalation's outlet did not hear of the ack: %v", pulsenode.KindsOf(mail.Delivered()))
}

// TestNotifyRateIsNeverExceeded: an outlet with rate 10 gets requests at least 100 ms apart (each
// alarm its own group, so that none leave together).
func TestNotifyRateIsNeverExceeded(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	var mu sync.Mutex
	var at []time.Time
	r.Answer = func(int, pulsenode.HookCall) (int, http.Header) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		return http.StatusOK, nil
	}
	n := pulsenode.StartWith(t, func(c *config.Config) {
		pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}, GroupBy: []string{"alarmId"}}}, r)(c)
		c.Notify.Outlets[0].Rate = 10
	}, pulsenode.FastNotify)
	var items []string
	for i := range 8 {
		items = append(items, fmt.Sprintf(`{"alarmId":"q-%d","businessType":"meter","businessId":"m-1","level":"minor","title":"t"}`, i))
	}
	n.Raise(`{"items":[` + strings.Join(items, ",") + `]}`)
	poll.Eventually(t, func() bool { return len(r.Delivered()) == 8 }, "delivered %d", len(r.Delivered()))
	mu.Lock()
	defer mu.Unlock()
	// Requests i and j leave at least (j-i) slots of 100 ms apart; the receiver reads its clock a
	// little after each arrives, which may shorten one gap: a slot is allowed for that.
	for i := range at {
		for j := i + 1; j < len(at); j++ {
			if gap := at[j].Sub(at[i]); gap < time.Duration(j-i-1)*100*time.Millisecond {
				t.Errorf("requests %d and %d only %v apart: more than 10/s", i, j, gap)
			}
		}
	}
	if span := at[len(at)-1].Sub(at[0]); span < 600*time.Millisecond {
		t.Errorf("8 requests within %v: more than 10/s", span)
	}
}

// TestNotifyRateGroupsWhatWaits: alarms of one group raised one by one while a rate-limited
// outlet waits for its next slot leave together in that slot (the latest state of each), not one
// a slot; another group's alarm leaves on its own.
func TestNotifyRateGroupsWhatWaits(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	n := pulsenode.StartWith(t, func(c *config.Config) {
		pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}, GroupBy: []string{"businessType"}}}, r)(c)
		c.Notify.Outlets[0].Rate = 0.2 // a slot every 5 s
	}, pulsenode.FastNotify)
	n.Raise(`{"alarmId":"first","businessType":"meter","businessId":"m-0","level":"minor","title":"t"}`)
	poll.Eventually(t, func() bool { return len(r.Delivered()) == 1 }, "the first alarm not delivered")
	for i := range 6 {
		n.Raise(fmt.Sprintf(`{"alarmId":"w-%d","businessType":"meter","businessId":"m-%d","level":"minor","title":"t"}`, i, i))
	}
	n.MustPost("/api/v1/alarms/meter/m-0/w-0/ack", `{"user":"a"}`) // w-0's latest state is acked
	n.Raise(`{"alarmId":"other","businessType":"pump","businessId":"p-1","level":"minor","title":"t"}`)
	seen := map[string]string{}
	poll.Eventually(t, func() bool {
		for _, c := range r.Delivered()[1:] {
			for _, a := range c.Body.Data.Alarms {
				seen[a.AlarmId] = a.Status
			}
		}
		return len(seen) == 7
	}, "alarms delivered after the first: %v", seen)
	calls := r.Delivered()[1:]
	meter := 0
	for _, c := range calls {
		switch c.Body.Data.Group["businessType"] {
		case "meter":
			meter++
		case "pump":
			if len(c.Body.Data.Alarms) != 1 {
				t.Errorf("the pump group's notification holds %d alarms", len(c.Body.Data.Alarms))
			}
		}
	}
	// The raised of w-0..w-5 wait for one slot (a raise committing as the slot's notification leaves
	// waits for the next); the acknowledgement of w-0 is a group of its own kind.
	if meter > 3 {
		t.Errorf("%d notifications for the waiting meter alarms, want them grouped: %v", meter, pulsenode.KindsOf(calls))
	}
}

// TestNotifyOutletDownAlarm: an outlet failing for outletDownAfter raises the critical alarm
// pulse/notify/<outlet>, notified through the route's other outlet (not the failing one) and
// shown to consoles; /readyz stays ready; when the outlet delivers again the alarm is cleared.
func TestNotifyOutletDownAlarm(t *testing.T) {
	down, other := pulsenode.NewReceiver(t), pulsenode.NewReceiver(t)
	var healthy atomic.Bool
	down.Answer = func(int, pulsenode.HookCall) (int, http.Header) {
		if healthy.Load() {
			return http.StatusOK, nil
		}
		return http.StatusInternalServerError, nil
	}
	routes := []notify.Route{{Name: "all", To: []string{"hook0", "hook1"}, Resolved: true}}
	n := pulsenode.StartWith(t, pulsenode.WithNotify(routes, down, other), func(a *app.App) {
		pulsenode.FastNotify(a)
		a.NotifyOptions().OutletDownAfter = time.Millisecond
	})
	n.Raise(`{"items":[{"alarmId":"d1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	var alarm model.Alarm
	poll.Eventually(t, func() bool {
		for _, c := range other.Delivered() {
			for _, a := range c.Body.Data.Alarms {
				if a.BusinessType == "pulse" && a.BusinessId == "notify" && a.AlarmId == "hook0" {
					alarm = a.Alarm
					return true
				}
			}
		}
		return false
	}, "pulse/notify/hook0 not notified through hook1: %v", pulsenode.KindsOf(other.Delivered()))
	if alarm.Level != model.LevelCritical || alarm.Status != model.StatusActive {
		t.Errorf("the outlet's alarm: %+v", alarm)
	}
	for _, c := range down.Calls() {
		for _, a := range c.Body.Data.Alarms {
			if a.BusinessType == "pulse" {
				t.Errorf("the failing outlet was sent its own alarm")
			}
		}
	}
	if status, env := n.Get("/readyz", nil); status != http.StatusOK {
		t.Errorf("/readyz with an outlet down: %d %+v", status, env)
	}
	healthy.Store(true)
	poll.Eventually(t, func() bool {
		return strings.Contains(strings.Join(pulsenode.KindsOf(other.Delivered()), ","), "hook0:cleared")
	}, "pulse/notify/hook0 not cleared: %v", pulsenode.KindsOf(other.Delivered()))
}

// TestNotifyRecordsArePurged: delivery records older than notify.retention are deleted (a node
// started with its clock a retention ahead purges them at start).
func TestNotifyRecordsArePurged(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	link := pulsenode.SQLiteLink(t.TempDir())
	edit := func(c *config.Config) {
		pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}}}, r)(c)
		c.Database = gdb.ConfigNode{Link: link}
	}
	n := pulsenode.StartWith(t, edit, pulsenode.FastNotify)
	n.Raise(`{"items":[{"alarmId":"p1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool { return len(n.Deliveries("meter", "m-1", "p1")) == 1 }, "no record")
	ctx, cancel := context.WithTimeout(context.Background(), pulsenode.Patience)
	defer cancel()
	if err := n.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	later := pulsenode.StartWith(t, edit, func(a *app.App) {
		pulsenode.FastNotify(a)
		a.NotifyOptions().Now = func() time.Time { return time.Now().Add(notify.DefaultRetention + time.Hour) }
	})
	poll.Eventually(t, func() bool { return len(later.Deliveries("meter", "m-1", "p1")) == 0 }, "the record was kept")
}

// TestNotifyStuckLanesDoNotHoldOthers: while the receiver holds the notifications of four alarms,
// each with two more waiting in its lane (ahead of everything else in the outbox), a fifth
// alarm's notification still leaves, long before the held sends time out (two thirds of the
// lease, a minute here).
func TestNotifyStuckLanesDoNotHoldOthers(t *testing.T) {
	r := pulsenode.NewReceiver(t)
	release := make(chan struct{})
	var held atomic.Int32
	r.Hold = func(c pulsenode.HookCall) {
		if k := pulsenode.KindsOf([]pulsenode.HookCall{c}); len(k) == 1 && strings.HasPrefix(k[0], "stuck") {
			held.Add(1)
			<-release
		}
	}
	defer close(release)
	n := pulsenode.StartWith(t, pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}, Resolved: true}}, r),
		func(a *app.App) { pulsenode.FastNotify(a); a.NotifyOptions().Lease = time.Minute })
	for i := range 4 {
		n.Raise(fmt.Sprintf(`{"items":[{"alarmId":"stuck%d","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`, i))
	}
	poll.Eventually(t, func() bool { return held.Load() == 4 }, "the receiver holds %d of 4", held.Load())
	for i := range 4 {
		n.MustPost(fmt.Sprintf("/api/v1/alarms/meter/m-1/stuck%d/ack", i), `{"user":"a"}`)
		n.MustPost(fmt.Sprintf("/api/v1/alarms/meter/m-1/stuck%d/clear", i), `{"user":"a"}`)
	}
	n.Raise(`{"items":[{"alarmId":"free","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	poll.Eventually(t, func() bool { return slices.Contains(pulsenode.KindsOf(r.Delivered()), "free:raised") },
		"the free alarm waits behind the stuck ones: %v", pulsenode.KindsOf(r.Delivered()))
	if got := held.Load(); got != 4 {
		t.Errorf("the receiver was asked for %d held notifications, want 4 (a held send ended and was retried)", got)
	}
}
