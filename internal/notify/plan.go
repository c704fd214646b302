package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// Notification kinds.
const (
	KindRaised     = "raised"
	KindRepeated   = "repeated" // only when the level rises
	KindAcked      = "acked"
	KindCleared    = "cleared" // only with the route's resolved
	KindReminder   = "reminder"
	KindEscalated  = "escalated"
	KindUnsilenced = "unsilenced"
	KindTest       = "test"
)

// Silencer says whether an alarm notifies nobody at a time (a silence covers it). The silences
// are someone else's; nil is no silences.
type Silencer interface {
	Silenced(a model.Alarm, at time.Time) bool
}

// Links makes ack links. AckURL is "" when links are off. nil is no links.
type Links interface {
	AckURL(outlet, target string, a model.Alarm) string
}

// Event is an alarm state change as the router sees it: the alarm after it and before it (nil
// when the alarm is new).
type Event struct {
	Kind  string // raised, repeated, acked, cleared, unsilenced
	Seq   int64
	Alarm *model.Alarm
	Prev  *model.Alarm
}

// Row is one notification in the outbox: one outlet's target, one alarm.
type Row struct {
	ID       string
	Key      Key
	GroupKey string // "" when the route does not group
	Created  int64  // unix ms
	Due      int64  // unix ms: not sent before
	Attempts int
	Payload  []byte // the Alarm (state and seq) as JSON

	// A row to a push outlet, before insertRows makes one per device: its platform and alarm.
	platform string
	alarm    *model.Alarm
}

// Timer is a reminder or an escalation to come, by route and step name.
type Timer struct {
	Route, Step string
	Alarm       model.AlarmKey
	Kind        string // reminder or escalated
	Due         int64  // unix ms
	N           int    // reminders sent so far
}

// Plan is what a commit of alarm events writes to the notification tables, in its transaction.
type Plan struct {
	Rows   []Row
	Timers []Timer          // set (replacing the alarm's timer of the same route and step)
	Stop   []model.AlarmKey // acknowledged or cleared: their timers and pending reminders and escalations go
	// Settled are the acknowledgements and clears of Stop: the outlets of the escalation steps
	// that were notified hear of them too (WritePlan reads which steps were, in the transaction).
	Settled []Event
	// Cleared are the alarms of Stop that were cleared: the marks of their notified escalation
	// steps go too (an acknowledgement keeps them, so that the clear reaches those steps).
	Cleared []model.AlarmKey
	// Unrouted counts raises that matched no route: nobody is notified of them.
	Unrouted int

	router *Router
	at     time.Time
}

// Empty reports whether the plan writes nothing.
func (p *Plan) Empty() bool {
	return len(p.Rows) == 0 && len(p.Timers) == 0 && len(p.Stop) == 0
}

// Router decides, in memory, which notifications an alarm event makes. It is built once from the
// configuration and the outlets; a config edit is a new Router (timers re-bind by name).
type Router struct {
	routes   []route
	targets  map[string][]string // outlet name -> its targets
	push     map[string]string   // push outlet name -> its platform: targets are devices
	devices  *device.Cache       // the node's copy of the devices, for the commits
	silencer atomic.Pointer[Silencer]
	unrouted atomic.Int64
}

// SetSilencer makes the router ask s whether an alarm is silenced (nil: nothing is).
func (r *Router) SetSilencer(s Silencer) {
	if s == nil {
		r.silencer.Store(nil)
		return
	}
	r.silencer.Store(&s)
}

func (r *Router) silenced(a *model.Alarm, at time.Time) bool {
	s := r.silencer.Load()
	return s != nil && (*s).Silenced(*a, at)
}

// deviceCache is the node's copy of the devices (nil for a nil router: read them each time).
func (r *Router) deviceCache() *device.Cache {
	if r == nil {
		return nil
	}
	return r.devices
}

// Unrouted counts the raises that matched no route since start.
func (r *Router) Unrouted() int64 { return r.unrouted.Load() }

type route struct {
	Route
	levels   []string
	patterns []model.Pattern
	steps    map[string]Step
}

// NewRouter compiles the routes. Outlets are by name; a route naming an outlet not given is the
// configuration's mistake (internal/config refuses it), here it is skipped.
func NewRouter(cfg Config, outlets map[string]Outlet, silencer Silencer) *Router {
	r := &Router{targets: map[string][]string{}, push: map[string]string{}, devices: device.NewCache()}
	r.SetSilencer(silencer)
	for name, o := range outlets {
		r.targets[name] = o.Targets()
		if p, ok := o.(PushOutlet); ok {
			r.push[name] = p.Platform()
		}
	}
	for _, rc := range cfg.Routes {
		c := route{Route: rc, levels: rc.Match.Levels, steps: map[string]Step{}}
		for _, p := range rc.Match.Businesses {
			if pat, err := model.ParsePattern(p); err == nil {
				c.patterns = append(c.patterns, pat)
			}
		}
		for _, s := range rc.Escalate {
			c.steps[s.Name] = s
		}
		r.routes = append(r.routes, c)
	}
	return r
}

// matches reports whether the route takes the alarm.
func (c *route) matches(a *model.Alarm) bool {
	if len(c.levels) > 0 && !slices.Contains(c.levels, a.Level) {
		return false
	}
	if len(c.patterns) > 0 {
		for _, p := range c.patterns {
			if p.Covers(a.BusinessType, a.BusinessId) {
				return true
			}
		}
		return false
	}
	return true
}

// routesOf are the routes an alarm goes to: the first that matches, and the next ones while the
// matching route says continue.
func (r *Router) routesOf(a *model.Alarm) []*route {
	var out []*route
	for i := range r.routes {
		c := &r.routes[i]
		if !c.matches(a) {
			continue
		}
		out = append(out, c)
		if !c.Continue {
			break
		}
	}
	return out
}

// Route returns the route named name, for a timer that refers to it.
func (r *Router) route(name string) *route {
	for i := range r.routes {
		if r.routes[i].Name == name {
			return &r.routes[i]
		}
	}
	return nil
}

// severity orders levels: higher is more severe; an unknown level is below info.
func severity(level string) int {
	switch level {
	case model.LevelCritical:
		return 5
	case model.LevelMajor:
		return 4
	case model.LevelMinor:
		return 3
	case model.LevelWarning:
		return 2
	case model.LevelInfo:
		return 1
	}
	return 0
}

// Plan is what events (in seq order) make at now.
func (r *Router) Plan(events []Event, now time.Time) Plan {
	p := Plan{router: r, at: now}
	if r == nil {
		return p
	}
	ms := now.UnixMilli()
	for _, e := range events {
		a := e.Alarm
		if a == nil {
			continue
		}
		key := model.AlarmKey{BusinessType: a.BusinessType, BusinessId: a.BusinessId, AlarmId: a.AlarmId}
		routes := r.routesOf(a)
		if len(routes) == 0 {
			if e.Kind == KindRaised {
				p.Unrouted++
				r.unrouted.Add(1)
			}
			continue
		}
		if e.Kind == KindAcked || e.Kind == KindCleared {
			p.Stop = append(p.Stop, key)
			if e.Kind == KindCleared {
				p.Cleared = append(p.Cleared, key)
			}
			if !r.silenced(a, now) {
				p.Settled = append(p.Settled, e)
			}
		}
		silenced := r.silenced(a, now)
		for _, c := range routes {
			notifies := false
			switch e.Kind {
			case KindRaised, KindAcked:
				notifies = true
			case KindUnsilenced: // still active: an acknowledged alarm has someone on it already
				notifies = a.Status == model.StatusActive
			case KindRepeated:
				notifies = e.Prev != nil && severity(a.Level) > severity(e.Prev.Level)
			case KindCleared:
				notifies = c.Resolved
			}
			if notifies && !silenced {
				p.Rows = append(p.Rows, r.rows(c, "", c.To, e.Kind, e.Kind, e.Seq, a, ms, c.GroupWait)...)
			}
			if (e.Kind == KindRaised || e.Kind == KindUnsilenced) && !silenced && a.Status == model.StatusActive {
				if c.RepeatInterval > 0 {
					p.Timers = append(p.Timers, Timer{Route: c.Name, Alarm: key, Kind: KindReminder, Due: ms + c.RepeatInterval.Milliseconds()})
				}
				for _, s := range c.Escalate {
					p.Timers = append(p.Timers, Timer{Route: c.Name, Step: s.Name, Alarm: key, Kind: KindEscalated, Due: ms + s.After.Milliseconds()})
				}
			}
		}
	}
	return p
}

// rows are the notifications of one alarm to outlets: one per outlet's target. keyKind is the
// kind as the key holds it (a reminder's with its number).
func (r *Router) rows(c *route, step string, outlets []string, kind, keyKind string, seq int64, a *model.Alarm, ms int64, wait time.Duration) []Row {
	payload, _ := json.Marshal(Alarm{Alarm: *a, Seq: seq})
	group := ""
	if wait > 0 {
		group = groupKey(c, kind, a)
	}
	var out []Row
	for _, o := range outlets {
		targets, ok := r.targets[o]
		if !ok || (a.BusinessType == "pulse" && a.BusinessId == "notify" && a.AlarmId == o) {
			continue // an outlet's own pulse/notify alarm goes through the route's other outlets
		}
		if platform := r.push[o]; platform != "" {
			k := Key{Route: c.Name, Step: step, Outlet: o,
				Alarm: model.AlarmKey{BusinessType: a.BusinessType, BusinessId: a.BusinessId, AlarmId: a.AlarmId},
				Seq:   seq, Kind: keyKind}
			out = append(out, Row{Key: k, GroupKey: group, Created: ms, Due: ms + wait.Milliseconds(), Payload: payload,
				platform: platform, alarm: a})
			continue
		}
		for _, t := range targets {
			k := Key{Route: c.Name, Step: step, Outlet: o, Target: t,
				Alarm: model.AlarmKey{BusinessType: a.BusinessType, BusinessId: a.BusinessId, AlarmId: a.AlarmId},
				Seq:   seq, Kind: keyKind}
			out = append(out, Row{ID: k.ID(), Key: k, GroupKey: group, Created: ms, Due: ms + wait.Milliseconds(), Payload: payload})
		}
	}
	return out
}

// groupKey names the alarm's group in a route: the route, the kind, and the groupBy fields'
// values, hashed to fit a column.
func groupKey(c *route, kind string, a *model.Alarm) string {
	h := sha256.New()
	h.Write([]byte(c.Name + "\n" + kind))
	for _, f := range c.GroupBy {
		h.Write([]byte("\n" + groupValue(f, a)))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// groupValue is the value of a groupBy field of an alarm.
func groupValue(field string, a *model.Alarm) string {
	switch field {
	case "businessType":
		return a.BusinessType
	case "businessId":
		return a.BusinessId
	case "level":
		return a.Level
	case "alarmId":
		return a.AlarmId
	}
	return ""
}

// Group is the groupBy fields' values of an alarm in a route.
func (r *Router) Group(routeName string, a *model.Alarm) map[string]string {
	c := r.route(routeName)
	if c == nil || len(c.GroupBy) == 0 {
		return map[string]string{}
	}
	g := make(map[string]string, len(c.GroupBy))
	for _, f := range c.GroupBy {
		g[f] = groupValue(f, a)
	}
	return g
}

// Fire is what a due timer makes: the notifications of a reminder or an escalation of the alarm in
// its current state (seq its latest event's), and the timer's next firing (nil when none: an
// escalation fires once). A timer whose route or step is no longer configured, or whose alarm is
// acknowledged or cleared, makes nothing.
func (r *Router) Fire(t Timer, a *model.Alarm, seq int64, now time.Time) (rows []Row, next *Timer) {
	c := r.route(t.Route)
	if c == nil || a == nil || a.Status != model.StatusActive {
		return nil, nil
	}
	ms := now.UnixMilli()
	silenced := r.silenced(a, now)
	switch t.Kind {
	case KindReminder:
		if c.RepeatInterval <= 0 {
			return nil, nil
		}
		n := t
		n.N++
		n.Due = ms + c.RepeatInterval.Milliseconds()
		if silenced {
			return nil, &n
		}
		return r.rows(c, "", c.To, KindReminder, KindReminder+"#"+strconv.Itoa(n.N), seq, a, ms, 0), &n
	case KindEscalated:
		s, ok := c.steps[t.Step]
		if !ok || silenced {
			return nil, nil
		}
		// The timer stays, never due, to say the step was notified: its outlets hear of the
		// acknowledgement or the clear (settledRows).
		done := t
		done.Kind, done.Due = kindEscalatedDone, neverDue
		return r.rows(c, s.Name, s.To, KindEscalated, KindEscalated, seq, a, ms, 0), &done
	}
	return nil, nil
}

// A timer of kind kindEscalatedDone marks an escalation step already notified; it is never due.
const (
	kindEscalatedDone = "escalated-done"
	neverDue          = int64(1) << 62
)

// settledRows are the notifications of an acknowledgement or clear e to the outlets of the
// escalation steps (route, step) already notified of its alarm: acknowledged always, cleared on
// routes with resolved.
func (r *Router) settledRows(e Event, steps [][2]string, now time.Time) []Row {
	var out []Row
	for _, rs := range steps {
		c := r.route(rs[0])
		if c == nil || (e.Kind == KindCleared && !c.Resolved) {
			continue
		}
		s, ok := c.steps[rs[1]]
		if !ok {
			continue
		}
		out = append(out, r.rows(c, s.Name, s.To, e.Kind, e.Kind, e.Seq, e.Alarm, now.UnixMilli(), 0)...)
	}
	return out
}

// BaseKind is a key's kind without a reminder's number: the notification's kind.
func BaseKind(keyKind string) string {
	for i := 0; i < len(keyKind); i++ {
		if keyKind[i] == '#' {
			return keyKind[:i]
		}
	}
	return keyKind
}
