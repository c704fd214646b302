package ws_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestAlarmResumeAtEveryPoint: a console resuming with since=S gets every event after S in
// order, then synced with the last seq, then live events. (A since ahead of the store: see
// TestSinceAheadOfStore.)
func TestAlarmResumeAtEveryPoint(t *testing.T) {
	n := pulsenode.Start(t, nil)
	const total = 40
	for i := range total {
		n.Raise(fmt.Sprintf(`{"alarmId":"r-%d","businessType":"meter","businessId":"m-%d"}`, i%7, i))
	}
	for since := 0; since <= total; since++ {
		c := n.Dial(fmt.Sprintf("/ws/alarm?since=%d", since))
		want := int64(since) + 1
		for _, o := range c.Replayed {
			if o.Seq != want {
				t.Fatalf("since=%d: got seq %d, want %d", since, o.Seq, want)
			}
			want++
		}
		if want-1 != total || c.Synced != total {
			t.Fatalf("since=%d: replay ended at %d, synced %d; want %d", since, want-1, c.Synced, total)
		}
		_ = c.WS.Close()
	}
	live := n.Dial("/ws/alarm?since=40")
	r := n.Raise(`{"businessType":"meter","businessId":"after"}`)
	if o := live.Next(pulsenode.Patience); o.Seq != r[0].Seq || r[0].Seq != total+1 {
		t.Fatalf("live after synced: %s, receipt %+v", o.Raw, r)
	}
}

// TestAlarmReplayLiveJoin: consoles join while alarms keep arriving from several posters; each
// sees every seq after its since exactly once and in order, across the replay/live join.
func TestAlarmReplayLiveJoin(t *testing.T) {
	n := pulsenode.Start(t, nil)
	var (
		stop   atomic.Bool
		posted atomic.Int64
		wg     sync.WaitGroup
	)
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				code, env := n.Post("/api/v1/alarm", fmt.Sprintf(`{"items":[{"alarmId":"j-%d-%d","businessType":"meter","businessId":"b"},{"businessType":"meter","businessId":"b"}]}`, p, i%50))
				if code != http.StatusOK {
					t.Errorf("post: %d %s", code, env.Message)
					return
				}
				posted.Add(2)
			}
		}()
	}
	type joined struct {
		c     *pulsenode.Client
		since int64
	}
	// Each join waits for fresh traffic, so every join happens while alarms keep arriving, however
	// fast or slow the machine is.
	awaitPosted := func(n int64) {
		if !poll.Until(func() bool { return posted.Load() >= n }) {
			t.Fatalf("only %d alarms posted in %v, waiting for %d", posted.Load(), pulsenode.Patience, n)
		}
	}
	var consoles []joined
	for i := range 12 {
		awaitPosted(posted.Load() + 16)
		since := posted.Load() / 2
		if i%4 == 0 {
			since = 0
		}
		consoles = append(consoles, joined{n.Dial(fmt.Sprintf("/ws/alarm?since=%d", since)), since})
	}
	awaitPosted(posted.Load() + 16)
	stop.Store(true)
	wg.Wait()
	final := posted.Load()
	for _, j := range consoles {
		want := j.since + 1
		check := func(o pulsenode.Object) {
			if o.Seq != want {
				t.Fatalf("console since=%d (synced %d): got seq %d, want %d", j.since, j.c.Synced, o.Seq, want)
			}
			want++
		}
		for _, o := range j.c.Replayed {
			check(o)
		}
		for want <= final {
			check(j.c.Next(pulsenode.Patience))
		}
	}
}

// TestAlarmLifecycle: raise, repeat, ack (HTTP and socket), clear, raise again; every console
// sees each state; unknown ids are 404 or an error object; the list filters by status.
func TestAlarmLifecycle(t *testing.T) {
	n := pulsenode.Start(t, nil)
	watcher := n.Dial("/ws/alarm")
	actor := n.Dial("/ws/alarm")
	n.WaitConnections(0, 2)

	expect := func(what, event, status string, count int64, seq int64) model.Alarm {
		t.Helper()
		for _, c := range []*pulsenode.Client{watcher, actor} {
			o := c.Next(pulsenode.Patience)
			a := pulsenode.AlarmOf(t, o)
			if o.Event != event || a.Status != status || a.Count != count || (seq != 0 && o.Seq != seq) {
				t.Fatalf("%s: got %s", what, o.Raw)
			}
		}
		return model.Alarm{}
	}
	r := n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","level":"major","title":"Over-voltage","time":1000}`)
	expect("raise", "raised", "active", 1, r[0].Seq)
	r = n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","level":"critical","title":"Over-voltage","time":2000}`)
	expect("repeat", "repeated", "active", 2, r[0].Seq)

	env := n.MustPost("/api/v1/alarms/ov-1/ack", `{"user":"alice"}`)
	var acked model.Alarm
	_ = json.Unmarshal(env.Data, &acked)
	if acked.Status != "acked" || acked.AckedBy != "alice" || acked.AckTime == 0 || acked.Level != "critical" ||
		acked.FirstTime != 1000 || acked.LastTime != 2000 {
		t.Fatalf("ack answer %s", env.Data)
	}
	expect("ack", "acked", "acked", 2, 0)

	// Acknowledging again changes nothing and makes no event; a repeat keeps it acknowledged.
	n.MustPost("/api/v1/alarms/ov-1/ack", `{"user":"bob"}`)
	n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","time":3000}`)
	expect("repeat while acked", "repeated", "acked", 3, 0)

	if code, env := n.Post("/api/v1/alarms/nope/ack", `{"user":"alice"}`); code != http.StatusNotFound || env.Code == 0 {
		t.Fatalf("ack of an unknown alarm: %d %+v", code, env)
	}
	if code, _ := n.Post("/api/v1/alarms/ov-1/ack", `{}`); code != http.StatusBadRequest {
		t.Fatalf("ack without user: %d", code)
	}
	actor.Send(`{"type":"ack","alarmId":"nope","user":"carol"}`)
	if o := actor.Next(pulsenode.Patience); o.Type != "error" || o.Code != 65 || !strings.Contains(o.Message, "nope") {
		t.Fatalf("socket ack of an unknown alarm: %s", o.Raw)
	}

	n.MustPost("/api/v1/alarms/ov-1/clear", `{}`)
	expect("clear", "cleared", "cleared", 3, 0)
	if code, _ := n.Post("/api/v1/alarms/ov-1/ack", `{"user":"alice"}`); code != http.StatusConflict {
		t.Fatalf("ack of a cleared alarm: %d, want 409", code)
	}
	n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","time":4000}`)
	expect("raise after clear", "raised", "active", 4, 0)
	actor.Send(`{"type":"ack","alarmId":"ov-1","user":"carol"}`)
	expect("socket ack", "acked", "acked", 4, 0)

	n.Raise(`{"alarmId":"other","businessType":"meter","businessId":"m-2"}`)
	expect("other", "raised", "active", 1, 0)
	for query, want := range map[string]string{"?status=acked": "[ov-1]", "?status=active": "[other]", "": "[other ov-1]", "?limit=1": "[other]"} {
		code, env := n.Get("/api/v1/alarms"+query, nil)
		var res struct{ Items []model.Alarm }
		_ = json.Unmarshal(env.Data, &res)
		var ids []string
		for _, a := range res.Items {
			ids = append(ids, a.AlarmId)
		}
		if code != http.StatusOK || fmt.Sprint(ids) != want {
			t.Fatalf("list%s: %d %v, want %s", query, code, ids, want)
		}
	}
	if code, _ := n.Get("/api/v1/alarms?status=open", nil); code != http.StatusBadRequest {
		t.Fatalf("list with a bad status: %d", code)
	}

	// A console without since gets the state of every alarm that is not cleared, then synced.
	n.MustPost("/api/v1/alarms/other/clear", `{}`)
	fresh := n.Dial("/ws/alarm")
	if len(fresh.Replayed) != 1 || pulsenode.AlarmOf(t, fresh.Replayed[0]).AlarmId != "ov-1" {
		t.Fatalf("state replay: %v", fresh.Replayed)
	}
	if code, _ := n.Get("/ws/alarm?since=-1", http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"},
		"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}); code != http.StatusBadRequest {
		t.Fatalf("since=-1: %d, want 400", code)
	}
}
