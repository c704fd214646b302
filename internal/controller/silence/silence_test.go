package silence_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/silence"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// silenceBody is a silence of matchers until endsAt (unix ms; 0: an hour from now).
func silenceBody(matchers string, endsAt int64, comment string) string {
	if endsAt == 0 {
		endsAt = time.Now().Add(time.Hour).UnixMilli()
	}
	return fmt.Sprintf(`{"matchers":%s,"endsAt":%d,"comment":%q}`, matchers, endsAt, comment)
}

// silenceIds is the ids of GET /api/v1/silences on n with header.
func silenceIds(t *testing.T, n *pulsenode.Node, header http.Header) []string {
	t.Helper()
	code, env := n.Get("/api/v1/silences", header)
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/silences: %d %s", code, env.Message)
	}
	var res struct{ Items []silence.Silence }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, s := range res.Items {
		ids = append(ids, s.ID)
	}
	return ids
}

// eachStore runs test on a node of its own on SQLite, MariaDB and PostgreSQL.
func eachStore(t *testing.T, database string, test func(t *testing.T, n *pulsenode.Node)) {
	t.Run("sqlite", func(t *testing.T) { test(t, pulsenode.Start(t, nil)) })
	testsvc.EachDatabase(t, database, func(t *testing.T, link string) {
		test(t, pulsenode.Start(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} }))
	})
}

// TestSilenceMarksAlarms: a silence marks the active alarms it selects (a silenced event each,
// with its id, end, comment and creator), and an alarm raised under it (raised, then silenced);
// alarms it does not select are left alone; the node's Silencer says so; deleting it unsilences
// them (an unsilenced event each); the events take seqs and a resuming console replays them.
// SQLite, MariaDB and PostgreSQL.
func TestSilenceMarksAlarms(t *testing.T) {
	eachStore(t, "pulse_silence_test", func(t *testing.T, n *pulsenode.Node) {
		n.Raise(`{"items":[{"alarmId":"a-1","businessType":"meter","businessId":"m-1","level":"major","title":"Over-voltage"},
			{"alarmId":"a-2","businessType":"meter","businessId":"m-2","level":"major","title":"Over-voltage"},
			{"alarmId":"a-3","businessType":"meter","businessId":"m-1","level":"info","title":"Door open"}]}`)
		c := n.Dial("/ws/alarm")
		ends := time.Now().Add(time.Hour).UnixMilli()
		code, env := n.Post("/api/v1/silences", silenceBody(`{"businesses":["meter/m-1"],"levels":["major","critical"],"text":"VOLTAGE"}`, ends, "maintenance"))
		if code != http.StatusOK {
			t.Fatalf("POST /api/v1/silences: %d %s", code, env.Message)
		}
		s := pulsenode.SilenceOf(t, env)
		if s.CreatedBy != "anonymous" || s.Comment != "maintenance" || s.EndsAt != ends || s.StartsAt == 0 {
			t.Fatalf("silence %+v", s)
		}
		a := c.NextEvent(model.EventSilenced, "a-1")
		if a.Silenced == nil || *a.Silenced != (model.SilenceMark{Id: s.ID, EndsAt: ends, Comment: "maintenance", CreatedBy: "anonymous"}) {
			t.Fatalf("a-1 marked %+v", a.Silenced)
		}
		if !n.Alarms.Silencer().Silenced(a, time.Now()) {
			t.Fatal("Silencer: a-1 is not silenced")
		}
		// Raised under it: raised, then silenced. Not selected (m-2; info): no mark.
		n.Raise(`{"items":[{"alarmId":"a-4","businessType":"meter","businessId":"m-1","level":"critical","content":"voltage 262 V"},
			{"alarmId":"a-2","businessType":"meter","businessId":"m-2","level":"major","title":"Over-voltage"},
			{"alarmId":"a-3","businessType":"meter","businessId":"m-1","level":"info","title":"Door open"}]}`)
		if a := c.NextEvent(model.EventRaised, "a-4"); a.Silenced != nil {
			t.Fatalf("the raised event carries a mark: %+v", a.Silenced)
		}
		c.NextEvent(model.EventSilenced, "a-4")
		if a := c.NextEvent(model.EventRepeated, "a-2"); a.Silenced != nil || n.Alarms.Silencer().Silenced(a, time.Now()) {
			t.Fatal("a-2 (m-2) silenced")
		}
		c.NextEvent(model.EventRepeated, "a-3")
		// A repeat keeps the mark, with no new event.
		n.Raise(`{"alarmId":"a-1","businessType":"meter","businessId":"m-1","level":"major","title":"Over-voltage"}`)
		if a := c.NextEvent(model.EventRepeated, "a-1"); a.Silenced == nil || a.Silenced.Id != s.ID {
			t.Fatalf("a-1 repeated without its mark: %+v", a.Silenced)
		}
		if ids := silenceIds(t, n, nil); len(ids) != 1 || ids[0] != s.ID {
			t.Fatalf("GET silences: %v", ids)
		}
		// An acknowledged alarm stays marked; deleting the silence unsilences both.
		n.MustPost("/api/v1/alarms/meter/m-1/a-4/ack", `{"user":"bob"}`)
		c.NextEvent(model.EventAcked, "a-4")
		if code, env, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+s.ID, nil, ""); code != http.StatusOK {
			t.Fatalf("DELETE: %d %s", code, env.Message)
		}
		got := map[string]model.Alarm{}
		for range 2 {
			o := c.Next(pulsenode.Patience)
			a := pulsenode.AlarmOf(t, o)
			if o.Event != model.EventUnsilenced || a.Silenced != nil {
				t.Fatalf("got %s, want unsilenced", o.Raw)
			}
			got[a.AlarmId] = a
		}
		if _, ok := got["a-1"]; !ok || got["a-4"].Status != model.StatusAcked {
			t.Fatalf("unsilenced %v", got)
		}
		if ids := silenceIds(t, n, nil); len(ids) != 0 {
			t.Fatalf("GET silences after DELETE: %v", ids)
		}
		if code, env, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+s.ID, nil, ""); code != http.StatusNotFound {
			t.Fatalf("DELETE again: %d %s, want 404", code, env.Message)
		}
		// A console resuming from the start replays them in seq order.
		r := n.Dial("/ws/alarm?since=0")
		var events []string
		for _, o := range r.Replayed {
			if o.Type == "alarm" && (o.Event == model.EventSilenced || o.Event == model.EventUnsilenced) {
				events = append(events, o.Event+":"+pulsenode.AlarmOf(t, o).AlarmId)
			}
		}
		if strings.Join(events, " ") != "silenced:a-1 silenced:a-4 unsilenced:a-1 unsilenced:a-4" &&
			strings.Join(events, " ") != "silenced:a-1 silenced:a-4 unsilenced:a-4 unsilenced:a-1" {
			t.Fatalf("replayed %v", events)
		}
	})
}

// TestSilenceTimes: a silence that starts later marks its alarms when it starts and unmarks them
// when it ends, without anyone asking.
func TestSilenceTimes(t *testing.T) {
	n := pulsenode.Start(t, nil)
	n.Raise(`{"alarmId":"t-1","businessType":"pump","businessId":"p-1"}`)
	c := n.Dial("/ws/alarm")
	starts := time.Now().Add(1500 * time.Millisecond).UnixMilli()
	ends := starts + 1500
	code, env := n.Post("/api/v1/silences", fmt.Sprintf(`{"matchers":{"alarmIds":["t-1"]},"startsAt":%d,"endsAt":%d}`, starts, ends))
	if code != http.StatusOK {
		t.Fatalf("POST: %d %s", code, env.Message)
	}
	a := c.NextEvent(model.EventSilenced, "t-1")
	if now := time.Now().UnixMilli(); now < starts {
		t.Fatalf("silenced at %d, before its start %d", now, starts)
	}
	if a.Silenced.EndsAt != ends {
		t.Fatalf("mark %+v", a.Silenced)
	}
	c.NextEvent(model.EventUnsilenced, "t-1")
	if now := time.Now().UnixMilli(); now < ends {
		t.Fatalf("unsilenced at %d, before its end %d", now, ends)
	}
	poll.Eventually(t, func() bool { return len(silenceIds(t, n, nil)) == 0 }, "the ended silence is still listed")
}

// TestShelveUntilCleared: shelving one alarm until cleared marks it with endsAt 0; its clear ends
// the silence (the cleared event carries no mark, the silence is no longer listed, and a new raise
// is not silenced); shelving an alarm that is not active is 409.
func TestShelveUntilCleared(t *testing.T) {
	n := pulsenode.Start(t, nil)
	n.Raise(`{"alarmId":"s-1","businessType":"meter","businessId":"m-1"}`)
	c := n.Dial("/ws/alarm")
	shelve := `{"matchers":{"businesses":["meter/m-1"],"alarmIds":["s-1"]},"untilCleared":true,"comment":"known issue","user":"carol"}`
	code, env := n.Post("/api/v1/silences", shelve)
	if code != http.StatusOK {
		t.Fatalf("POST: %d %s", code, env.Message)
	}
	s := pulsenode.SilenceOf(t, env)
	if !s.UntilCleared || s.EndsAt != 0 || s.CreatedBy != "carol" {
		t.Fatalf("silence %+v", s)
	}
	if a := c.NextEvent(model.EventSilenced, "s-1"); a.Silenced.EndsAt != 0 || a.Silenced.CreatedBy != "carol" {
		t.Fatalf("mark %+v", a.Silenced)
	}
	n.MustPost("/api/v1/alarms/meter/m-1/s-1/clear", `{}`)
	if a := c.NextEvent(model.EventCleared, "s-1"); a.Silenced != nil {
		t.Fatalf("cleared with a mark %+v", a.Silenced)
	}
	if ids := silenceIds(t, n, nil); len(ids) != 0 {
		t.Fatalf("the shelf outlived its alarm's clear: %v", ids)
	}
	n.Raise(`{"alarmId":"s-1","businessType":"meter","businessId":"m-1"}`)
	n.Raise(`{"alarmId":"marker","businessType":"meter","businessId":"m-1"}`)
	c.NextEvent(model.EventRaised, "s-1")
	c.NextEvent(model.EventRaised, "marker")
	n.MustPost("/api/v1/alarms/meter/m-1/s-1/clear", `{}`)
	if code, env := n.Post("/api/v1/silences", shelve); code != http.StatusConflict {
		t.Fatalf("shelving a cleared alarm: %d %s, want 409", code, env.Message)
	}
	if ids := silenceIds(t, n, nil); len(ids) != 0 {
		t.Fatalf("a refused shelf is listed: %v", ids)
	}
}

// TestSilenceRefusals: bad bodies are 400 with a message naming the field; with auth on, a token
// without ack is 403, a business outside its alarms patterns (or none, which is every business)
// is 403, and a silence outside its patterns is neither listed nor deletable (404).
func TestSilenceRefusals(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	meter := pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"meter/*"}, Ack: true}))
	pump := pulsenode.Bearer(pulsenode.Token(t, "paul", pulsenode.Grants{Alarms: []string{"pump/*"}, Ack: true}))
	viewer := pulsenode.Bearer(pulsenode.Token(t, "vera", pulsenode.Grants{Alarms: []string{"meter/*"}}))
	for _, c := range []struct{ body, want string }{
		{`{"matchers":{},"endsAt":9999999999999}`, "matchers"},
		{`{"matchers":{"levels":["loud"]},"endsAt":9999999999999}`, "matchers.levels"},
		{`{"matchers":{"businesses":["meter"]},"endsAt":9999999999999}`, "matchers.businesses"},
		{`{"matchers":{"businesses":["meter/*"]},"endsAt":1}`, "endsAt"},
		{`{"matchers":{"businesses":["meter/*"]}}`, "endsAt"},
		{`{"matchers":{"businesses":["meter/*"]},"untilCleared":true}`, "untilCleared"},
		{`{"matchers":{"businesses":["meter/*"]},"endsAt":9999999999999,"colour":"red"}`, "colour"},
		{`[1]`, "body"},
	} {
		code, env, _ := n.Call(http.MethodPost, "/api/v1/silences", meter, c.body)
		if code != http.StatusBadRequest || !strings.Contains(env.Message, c.want) {
			t.Errorf("%s: %d %q, want 400 naming %s", c.body, code, env.Message, c.want)
		}
	}
	for _, c := range []struct {
		header http.Header
		body   string
	}{
		{viewer, silenceBody(`{"businesses":["meter/*"]}`, 0, "")},
		{meter, silenceBody(`{"businesses":["pump/*"]}`, 0, "")},
		{meter, silenceBody(`{"businesses":["meter/*","*"]}`, 0, "")},
		{meter, silenceBody(`{"levels":["critical"]}`, 0, "")},
	} {
		if code, env, _ := n.Call(http.MethodPost, "/api/v1/silences", c.header, c.body); code != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", c.body, code, env.Message)
		}
	}
	code, env, _ := n.Call(http.MethodPost, "/api/v1/silences", meter, silenceBody(`{"businesses":["meter/m-1"]}`, 0, "mine"))
	if code != http.StatusOK {
		t.Fatalf("POST: %d %s", code, env.Message)
	}
	s := pulsenode.SilenceOf(t, env)
	if s.CreatedBy != "alice" {
		t.Fatalf("createdBy %q, want the token's sub", s.CreatedBy)
	}
	if ids := silenceIds(t, n, pump); len(ids) != 0 {
		t.Fatalf("pump's token lists %v", ids)
	}
	if ids := silenceIds(t, n, viewer); len(ids) != 1 {
		t.Fatalf("the viewer lists %v", ids)
	}
	if code, _, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+s.ID, pump, ""); code != http.StatusNotFound {
		t.Fatalf("DELETE by pump: %d, want 404", code)
	}
	if code, _, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+s.ID, viewer, ""); code != http.StatusForbidden {
		t.Fatalf("DELETE by a token without ack: %d, want 403", code)
	}
	if code, env, _ := n.Call(http.MethodDelete, "/api/v1/silences/"+s.ID, meter, ""); code != http.StatusOK {
		t.Fatalf("DELETE: %d %s", code, env.Message)
	}
}

// TestSilenceAcrossNodes: two nodes on Redis and one database (MariaDB, PostgreSQL). A silence
// made on one is listed on the other at once, holds an alarm raised on the other (its console sees
// raised then silenced, its Silencer says silenced), and its deletion on the other unsilences the
// alarm for the first node's console.
func TestSilenceAcrossNodes(t *testing.T) {
	testsvc.RequireRedis(t)
	testsvc.EachDatabase(t, "pulse_silence_cluster_test", func(t *testing.T, link string) {
		nodes := pulsenode.StartCluster(t, 2, testsvc.RedisAddr, link, false)
		c0, c1 := nodes[0].Dial("/ws/alarm"), nodes[1].Dial("/ws/alarm")
		// Node 1 has looked at the silences (none) before node 0 makes one.
		if ids := silenceIds(t, nodes[1], nil); len(ids) != 0 {
			t.Fatalf("silences before: %v", ids)
		}
		code, env := nodes[0].Post("/api/v1/silences", silenceBody(`{"businesses":["meter/*"]}`, 0, "cluster"))
		if code != http.StatusOK {
			t.Fatalf("POST: %d %s", code, env.Message)
		}
		s := pulsenode.SilenceOf(t, env)
		if ids := silenceIds(t, nodes[1], nil); len(ids) != 1 || ids[0] != s.ID {
			t.Fatalf("node 1 lists %v", ids)
		}
		nodes[1].Raise(`{"alarmId":"c-1","businessType":"meter","businessId":"m-9"}`)
		for i, c := range []*pulsenode.Client{c0, c1} {
			c.NextEvent(model.EventRaised, "c-1")
			if a := c.NextEvent(model.EventSilenced, "c-1"); a.Silenced.Id != s.ID {
				t.Fatalf("console %d: mark %+v", i, a.Silenced)
			}
		}
		if !nodes[1].Alarms.Silencer().Silenced(model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-9"}}, time.Now()) {
			t.Fatal("node 1's Silencer: not silenced")
		}
		if code, env, _ := nodes[1].Call(http.MethodDelete, "/api/v1/silences/"+s.ID, nil, ""); code != http.StatusOK {
			t.Fatalf("DELETE on node 1: %d %s", code, env.Message)
		}
		c0.NextEvent(model.EventUnsilenced, "c-1")
		poll.Eventually(t, func() bool {
			return !nodes[0].Alarms.Silencer().Silenced(model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-9"}}, time.Now())
		}, "node 0's Silencer still silences after the delete")
	})
}

// TestSilenceLimits: with notify.maxSilences 3 and maxSilencesPerCreator 2, a creator's third
// silence is refused 409 naming the per-creator key, and a fourth silence of anyone naming the
// total's (a silence made to start later counts); nothing refused is listed; deleting one makes
// room at once, and so does one whose end passed.
func TestSilenceLimits(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.Notify.MaxSilences, c.Notify.MaxSilencesPerCreator = 3, 2 })
	as := func(user string, endsAt int64, startsAt int64) (int, pulsenode.Envelope) {
		if endsAt == 0 {
			endsAt = time.Now().Add(time.Hour).UnixMilli()
		}
		return n.Post("/api/v1/silences", fmt.Sprintf(`{"matchers":{"businesses":["meter/*"]},"startsAt":%d,"endsAt":%d,"user":%q}`, startsAt, endsAt, user))
	}
	made := func(user string, endsAt, startsAt int64) silence.Silence {
		t.Helper()
		code, env := as(user, endsAt, startsAt)
		if code != http.StatusOK {
			t.Fatalf("POST as %s: %d %s", user, code, env.Message)
		}
		return pulsenode.SilenceOf(t, env)
	}
	refused := func(user, key string) {
		t.Helper()
		code, env := as(user, 0, 0)
		if code != http.StatusConflict || !strings.Contains(env.Message, key) {
			t.Fatalf("POST as %s beyond the limit: %d %q, want 409 naming %s", user, code, env.Message, key)
		}
	}
	first := made("alice", 0, 0)
	made("alice", time.Now().Add(2*time.Hour).UnixMilli(), time.Now().Add(time.Hour).UnixMilli()) // to start later: counts all the same
	refused("alice", "notify.maxSilencesPerCreator")
	soon := made("bob", time.Now().Add(1500*time.Millisecond).UnixMilli(), 0)
	refused("bob", "notify.maxSilences")
	refused("carol", "notify.maxSilences")
	if ids := silenceIds(t, n, nil); len(ids) != 3 {
		t.Fatalf("listed %v, want the 3 made", ids)
	}

	if code, env, _, _ := n.Request(http.MethodDelete, "/api/v1/silences/"+first.ID, "", nil, nil); code != http.StatusOK {
		t.Fatalf("DELETE: %d %s", code, env.Message)
	}
	made("carol", 0, 0) // the deleted one's room
	refused("carol", "notify.maxSilences")

	// bob's silence ends on its own: its room comes with its end.
	poll.Eventually(t, func() bool {
		code, _ := as("dave", 0, 0)
		return code == http.StatusOK
	}, "a silence whose end passed (%s) still counts", soon.ID)
	refused("erin", "notify.maxSilences")
}
