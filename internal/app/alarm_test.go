package app_test

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
)

// alarmOf decodes the alarm state an alarm object carries.
func alarmOf(t *testing.T, o object) model.Alarm {
	t.Helper()
	var a model.Alarm
	if o.Type != "alarm" {
		t.Fatalf("want an alarm object, got %s", o.raw)
	}
	if err := json.Unmarshal(o.Data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// raise posts alarms and returns their receipts.
func (n *node) raise(body string) []model.AlarmReceipt {
	n.t.Helper()
	var res struct{ Items []model.AlarmReceipt }
	if err := json.Unmarshal(n.mustPost("/api/v1/alarm", body).Data, &res); err != nil {
		n.t.Fatal(err)
	}
	return res.Items
}

// TestAlarmResumeAtEveryPoint: a console resuming with since=S gets every event after S in
// order, then synced with the last seq, then live events. (A since ahead of the store: see
// TestSinceAheadOfStore.)
func TestAlarmResumeAtEveryPoint(t *testing.T) {
	n := startNode(t, nil)
	const total = 40
	for i := range total {
		n.raise(fmt.Sprintf(`{"alarmId":"r-%d","businessType":"meter","businessId":"m-%d"}`, i%7, i))
	}
	for since := 0; since <= total; since++ {
		c := n.dial(fmt.Sprintf("/ws/alarm?since=%d", since))
		want := int64(since) + 1
		for _, o := range c.replayed {
			if o.Seq != want {
				t.Fatalf("since=%d: got seq %d, want %d", since, o.Seq, want)
			}
			want++
		}
		if want-1 != total || c.synced != total {
			t.Fatalf("since=%d: replay ended at %d, synced %d; want %d", since, want-1, c.synced, total)
		}
		_ = c.ws.Close()
	}
	live := n.dial("/ws/alarm?since=40")
	r := n.raise(`{"businessType":"meter","businessId":"after"}`)
	if o := live.next(patience); o.Seq != r[0].Seq || r[0].Seq != total+1 {
		t.Fatalf("live after synced: %s, receipt %+v", o.raw, r)
	}
}

// TestAlarmReplayLiveJoin: consoles join while alarms keep arriving from several posters; each
// sees every seq after its since exactly once and in order, across the replay/live join.
func TestAlarmReplayLiveJoin(t *testing.T) {
	n := startNode(t, nil)
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
				code, env := n.post("/api/v1/alarm", fmt.Sprintf(`{"items":[{"alarmId":"j-%d-%d","businessType":"meter","businessId":"b"},{"businessType":"meter","businessId":"b"}]}`, p, i%50))
				if code != http.StatusOK {
					t.Errorf("post: %d %s", code, env.Message)
					return
				}
				posted.Add(2)
			}
		}()
	}
	type joined struct {
		c     *client
		since int64
	}
	// Each join waits for fresh traffic, so every join happens while alarms keep arriving, however
	// fast or slow the machine is.
	awaitPosted := func(n int64) {
		if !poll.Until(func() bool { return posted.Load() >= n }) {
			t.Fatalf("only %d alarms posted in %v, waiting for %d", posted.Load(), patience, n)
		}
	}
	var consoles []joined
	for i := range 12 {
		awaitPosted(posted.Load() + 16)
		since := posted.Load() / 2
		if i%4 == 0 {
			since = 0
		}
		consoles = append(consoles, joined{n.dial(fmt.Sprintf("/ws/alarm?since=%d", since)), since})
	}
	awaitPosted(posted.Load() + 16)
	stop.Store(true)
	wg.Wait()
	final := posted.Load()
	for _, j := range consoles {
		want := j.since + 1
		check := func(o object) {
			if o.Seq != want {
				t.Fatalf("console since=%d (synced %d): got seq %d, want %d", j.since, j.c.synced, o.Seq, want)
			}
			want++
		}
		for _, o := range j.c.replayed {
			check(o)
		}
		for want <= final {
			check(j.c.next(patience))
		}
	}
}

// TestAlarmLifecycle: raise, repeat, ack (HTTP and socket), clear, raise again; every console
// sees each state; unknown ids are 404 or an error object; the list filters by status.
func TestAlarmLifecycle(t *testing.T) {
	n := startNode(t, nil)
	watcher := n.dial("/ws/alarm")
	actor := n.dial("/ws/alarm")
	n.waitConnections(0, 2)

	expect := func(what, event, status string, count int64, seq int64) model.Alarm {
		t.Helper()
		for _, c := range []*client{watcher, actor} {
			o := c.next(patience)
			a := alarmOf(t, o)
			if o.Event != event || a.Status != status || a.Count != count || (seq != 0 && o.Seq != seq) {
				t.Fatalf("%s: got %s", what, o.raw)
			}
		}
		return model.Alarm{}
	}
	r := n.raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","level":"major","title":"Over-voltage","time":1000}`)
	expect("raise", "raised", "active", 1, r[0].Seq)
	r = n.raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","level":"critical","title":"Over-voltage","time":2000}`)
	expect("repeat", "repeated", "active", 2, r[0].Seq)

	env := n.mustPost("/api/v1/alarms/ov-1/ack", `{"user":"alice"}`)
	var acked model.Alarm
	_ = json.Unmarshal(env.Data, &acked)
	if acked.Status != "acked" || acked.AckedBy != "alice" || acked.AckTime == 0 || acked.Level != "critical" ||
		acked.FirstTime != 1000 || acked.LastTime != 2000 {
		t.Fatalf("ack answer %s", env.Data)
	}
	expect("ack", "acked", "acked", 2, 0)

	// Acknowledging again changes nothing and makes no event; a repeat keeps it acknowledged.
	n.mustPost("/api/v1/alarms/ov-1/ack", `{"user":"bob"}`)
	n.raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","time":3000}`)
	expect("repeat while acked", "repeated", "acked", 3, 0)

	if code, env := n.post("/api/v1/alarms/nope/ack", `{"user":"alice"}`); code != http.StatusNotFound || env.Code == 0 {
		t.Fatalf("ack of an unknown alarm: %d %+v", code, env)
	}
	if code, _ := n.post("/api/v1/alarms/ov-1/ack", `{}`); code != http.StatusBadRequest {
		t.Fatalf("ack without user: %d", code)
	}
	actor.send(`{"type":"ack","alarmId":"nope","user":"carol"}`)
	if o := actor.next(patience); o.Type != "error" || o.Code != 65 || !strings.Contains(o.Message, "nope") {
		t.Fatalf("socket ack of an unknown alarm: %s", o.raw)
	}

	n.mustPost("/api/v1/alarms/ov-1/clear", `{}`)
	expect("clear", "cleared", "cleared", 3, 0)
	if code, _ := n.post("/api/v1/alarms/ov-1/ack", `{"user":"alice"}`); code != http.StatusConflict {
		t.Fatalf("ack of a cleared alarm: %d, want 409", code)
	}
	n.raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","time":4000}`)
	expect("raise after clear", "raised", "active", 4, 0)
	actor.send(`{"type":"ack","alarmId":"ov-1","user":"carol"}`)
	expect("socket ack", "acked", "acked", 4, 0)

	n.raise(`{"alarmId":"other","businessType":"meter","businessId":"m-2"}`)
	expect("other", "raised", "active", 1, 0)
	for query, want := range map[string]string{"?status=acked": "[ov-1]", "?status=active": "[other]", "": "[other ov-1]", "?limit=1": "[other]"} {
		code, env := n.get("/api/v1/alarms"+query, nil)
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
	if code, _ := n.get("/api/v1/alarms?status=open", nil); code != http.StatusBadRequest {
		t.Fatalf("list with a bad status: %d", code)
	}

	// A console without since gets the state of every alarm that is not cleared, then synced.
	n.mustPost("/api/v1/alarms/other/clear", `{}`)
	fresh := n.dial("/ws/alarm")
	if len(fresh.replayed) != 1 || alarmOf(t, fresh.replayed[0]).AlarmId != "ov-1" {
		t.Fatalf("state replay: %v", fresh.replayed)
	}
	if code, _ := n.get("/ws/alarm?since=-1", http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"},
		"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}); code != http.StatusBadRequest {
		t.Fatalf("since=-1: %d, want 400", code)
	}
}
