package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

type fakeOutlet struct {
	name    string
	targets []string
}

func (f fakeOutlet) Name() string                                     { return f.name }
func (f fakeOutlet) Type() string                                     { return "fake" }
func (f fakeOutlet) Targets() []string                                { return f.targets }
func (f fakeOutlet) Send(context.Context, string, Notification) error { return nil }

func outletsOf(names ...string) map[string]Outlet {
	m := map[string]Outlet{}
	for _, n := range names {
		m[n] = fakeOutlet{name: n, targets: []string{""}}
	}
	m["mail"] = fakeOutlet{name: "mail", targets: []string{"a@x", "b@x"}}
	return m
}

func alarmOf(typ, id, alarmId, level, status string) *model.Alarm {
	return &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: typ, BusinessId: id, AlarmId: alarmId, Level: level}, Status: status}
}

// summary is the plan's rows as route/step/outlet/target/kind, timers as route/step/kind.
func summary(p Plan) (rows, timers []string) {
	for _, r := range p.Rows {
		rows = append(rows, strings.Join([]string{r.Key.Route, r.Key.Step, r.Key.Outlet, r.Key.Target, r.Key.Kind}, "/"))
	}
	for _, t := range p.Timers {
		timers = append(timers, t.Route+"/"+t.Step+"/"+t.Kind)
	}
	return rows, timers
}

type silenceAll struct{}

func (silenceAll) Silenced(model.Alarm, time.Time) bool { return true }

// TestRouterPlans: first match wins unless continue; levels and businesses both apply; repeats
// notify only when the level rises, clears only with resolved; a raise sets the reminder and the
// escalation timers, an ack or clear stops them; a silenced alarm notifies nobody; an alarm
// matching no route is counted.
func TestRouterPlans(t *testing.T) {
	cfg := Config{Routes: []Route{
		{Name: "urgent", Match: Match{Levels: []string{"critical"}, Businesses: []string{"meter/*"}}, To: []string{"hook"},
			RepeatInterval: time.Hour, Continue: true, Escalate: []Step{{Name: "mail-10m", After: 10 * time.Minute, To: []string{"mail"}}}},
		{Name: "meters", Match: Match{Businesses: []string{"meter/*"}}, To: []string{"chat"}, Resolved: true},
		{Name: "never", Match: Match{Businesses: []string{"meter/*"}}, To: []string{"hook"}},
	}}
	r := NewRouter(cfg, outletsOf("hook", "chat"), nil)
	now := time.UnixMilli(1_000_000)
	crit := alarmOf("meter", "m-1", "a", "critical", model.StatusActive)
	minor := alarmOf("meter", "m-1", "a", "minor", model.StatusActive)
	for _, c := range []struct {
		name          string
		ev            Event
		rows, timers  string
		stop, unroute int
	}{
		{"critical raise: both routes (continue), timers", Event{Kind: KindRaised, Seq: 1, Alarm: crit},
			"urgent//hook//raised,meters//chat//raised", "urgent//reminder,urgent/mail-10m/escalated", 0, 0},
		{"minor raise: the second route only", Event{Kind: KindRaised, Seq: 1, Alarm: minor}, "meters//chat//raised", "", 0, 0},
		{"repeat at the same level: nothing", Event{Kind: KindRepeated, Seq: 2, Alarm: minor, Prev: minor}, "", "", 0, 0},
		{"repeat at a higher level", Event{Kind: KindRepeated, Seq: 2, Alarm: crit, Prev: minor},
			"urgent//hook//repeated,meters//chat//repeated", "", 0, 0},
		{"ack: notified, timers stopped", Event{Kind: KindAcked, Seq: 3, Alarm: alarmOf("meter", "m-1", "a", "critical", model.StatusAcked)},
			"urgent//hook//acked,meters//chat//acked", "", 1, 0},
		{"clear: only with resolved", Event{Kind: KindCleared, Seq: 4, Alarm: alarmOf("meter", "m-1", "a", "critical", model.StatusCleared)},
			"meters//chat//cleared", "", 1, 0},
		{"unrouted", Event{Kind: KindRaised, Seq: 5, Alarm: alarmOf("pump", "p-1", "a", "critical", model.StatusActive)}, "", "", 0, 1},
	} {
		p := r.Plan([]Event{c.ev}, now)
		rows, timers := summary(p)
		if strings.Join(rows, ",") != c.rows || strings.Join(timers, ",") != c.timers || len(p.Stop) != c.stop || p.Unrouted != c.unroute {
			t.Errorf("%s:\n rows %v\n timers %v\n stop %d unrouted %d", c.name, rows, timers, len(p.Stop), p.Unrouted)
		}
		for _, row := range p.Rows {
			if row.ID != row.Key.ID() || row.Due != now.UnixMilli() || row.GroupKey != "" {
				t.Errorf("%s: row %+v", c.name, row)
			}
		}
	}
	if r.Unrouted() != 1 {
		t.Errorf("unrouted %d", r.Unrouted())
	}
	r.SetSilencer(silenceAll{})
	if p := r.Plan([]Event{{Kind: KindRaised, Seq: 1, Alarm: crit}}, now); len(p.Rows) != 0 || len(p.Timers) != 0 {
		t.Errorf("silenced: %+v", p)
	}
	if p := r.Plan([]Event{{Kind: KindAcked, Seq: 1, Alarm: crit}}, now); len(p.Rows) != 0 || len(p.Stop) != 1 {
		t.Errorf("silenced ack: %+v", p)
	}
}

// TestRouterFiresTimers: a reminder of an active alarm notifies and comes again, numbered; an
// escalation notifies its step's outlets (every target) once; a timer of an acknowledged alarm,
// or of a route or step no longer configured, makes nothing.
func TestRouterFiresTimers(t *testing.T) {
	cfg := Config{Routes: []Route{{Name: "r", To: []string{"hook"}, RepeatInterval: time.Hour, GroupWait: time.Minute, GroupBy: []string{"businessId"},
		Escalate: []Step{{Name: "s", After: time.Minute, To: []string{"mail"}}}}}}
	r := NewRouter(cfg, outletsOf("hook"), nil)
	now := time.UnixMilli(5_000_000)
	a := alarmOf("meter", "m-1", "a", "major", model.StatusActive)
	key := model.AlarmKey{BusinessType: "meter", BusinessId: "m-1", AlarmId: "a"}
	f := r.Fire(Timer{Route: "r", Alarm: key, Kind: KindReminder, N: 2}, a, 9, now)
	rows, next := f.Rows, f.Next
	if len(rows) != 1 || rows[0].Key.Kind != "reminder#3" || rows[0].Key.Seq != 9 || BaseKind(rows[0].Key.Kind) != KindReminder ||
		next == nil || next.N != 3 || next.Due != now.UnixMilli()+time.Hour.Milliseconds() || rows[0].GroupKey != "" {
		t.Errorf("reminder: %+v next %+v", rows, next)
	}
	f = r.Fire(Timer{Route: "r", Step: "s", Alarm: key, Kind: KindEscalated}, a, 9, now)
	rows, next = f.Rows, f.Next
	if len(rows) != 2 || rows[0].Key.Step != "s" || rows[0].Key.Target == rows[1].Key.Target || next == nil ||
		next.Kind != kindEscalatedDone || next.Due != neverDue {
		t.Errorf("escalation: %+v next %+v", rows, next)
	}
	acked := alarmOf("meter", "m-1", "a", "major", model.StatusAcked)
	for _, c := range []struct {
		t Timer
		a *model.Alarm
	}{
		{Timer{Route: "r", Alarm: key, Kind: KindReminder}, acked},
		{Timer{Route: "gone", Alarm: key, Kind: KindReminder}, a},
		{Timer{Route: "r", Step: "gone", Alarm: key, Kind: KindEscalated}, a},
		{Timer{Route: "r", Alarm: key, Kind: KindReminder}, nil},
	} {
		if f := r.Fire(c.t, c.a, 9, now); len(f.Rows) != 0 || f.Next != nil || len(f.Cancelled) != 0 {
			t.Errorf("%+v: %+v", c.t, f)
		}
	}
	// A grouping route's rows wait groupWait and share a group key per groupBy value and kind.
	p := r.Plan([]Event{{Kind: KindRaised, Seq: 1, Alarm: a}, {Kind: KindRaised, Seq: 2, Alarm: alarmOf("meter", "m-1", "b", "minor", model.StatusActive)},
		{Kind: KindRaised, Seq: 3, Alarm: alarmOf("meter", "m-2", "c", "minor", model.StatusActive)}}, now)
	if len(p.Rows) != 3 || p.Rows[0].GroupKey != p.Rows[1].GroupKey || p.Rows[0].GroupKey == p.Rows[2].GroupKey ||
		p.Rows[0].Due != now.Add(time.Minute).UnixMilli() {
		t.Errorf("groups: %+v", p.Rows)
	}
	if g := r.Group("r", a); len(g) != 1 || g["businessId"] != "m-1" {
		t.Errorf("group %v", g)
	}
}
