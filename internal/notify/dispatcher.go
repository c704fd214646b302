package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// Options tune a Dispatcher. Zero values take the defaults in brackets.
type Options struct {
	Node            string        // this node's name as lease owner (required; unique per process)
	Lease           time.Duration // how long a node holds a notification it sends [30s]
	Poll            time.Duration // how often the outbox is read when nothing wakes the dispatcher [1s]
	Batch           int           // rows read per round [200]
	Concurrency     int           // notifications in flight at once [16]; one outlet takes at most half
	RetryFor        time.Duration // [DefaultRetryFor]
	OutletDownAfter time.Duration // [DefaultOutletDownAfter]
	Retention       time.Duration // records are kept this long [DefaultRetention]
	BackoffBase     time.Duration // the first retry's delay; doubled per attempt, with jitter [1s]
	BackoffMax      time.Duration // [10m]
	Links           Links         // nil: no ack links
	Now             func() time.Time
	Logf            func(format string, args ...any)
	// Alarm raises (or, with Action "clear", clears) the server's own alarm pulse/notify/<outlet>
	// when an outlet has failed for OutletDownAfter (and when it delivers again). nil: none.
	Alarm func(ctx context.Context, a model.AlarmBusinessData) error
}

// Dispatcher sends what the outbox holds: it leases due notifications (one node at a time per
// notification), keeps the order per (outlet, target, alarm), sends the latest state when a
// backlog holds superseded ones, retries with back-off and records every attempt. Timers
// (reminders, escalations) fire from the store too.
type Dispatcher struct {
	store   *Store
	router  *Router
	outlets map[string]Outlet
	opts    Options

	wake     chan struct{}
	sem      chan struct{}
	mu       sync.Mutex
	inFlight map[laneKey]bool
	perOut   map[string]int // notifications in flight per outlet
	limits   map[string]*limiter
	health   map[string]*outletHealth
	stats    map[string]*OutletStats
	wg       sync.WaitGroup
}

// OutletStats are an outlet's counters since start (this node).
type OutletStats struct {
	Sent, Failed, Retrying, Superseded atomic.Int64
}

type outletHealth struct {
	failingSince time.Time
	down         bool
}

// laneKey is one (outlet, target, alarm): its notifications leave in seq order.
type laneKey struct {
	outlet, target string
	alarm          model.AlarmKey
}

func laneOf(k Key) laneKey { return laneKey{k.Outlet, k.Target, k.Alarm} }

// NewDispatcher sends the notifications of store through outlets (by name), routed by router.
func NewDispatcher(store *Store, router *Router, outlets map[string]Outlet, opts Options) *Dispatcher {
	opts.Lease = cmp.Or(opts.Lease, 30*time.Second)
	opts.Poll = cmp.Or(opts.Poll, time.Second)
	opts.Batch = cmp.Or(opts.Batch, 200)
	opts.Concurrency = cmp.Or(opts.Concurrency, 16)
	opts.RetryFor = cmp.Or(opts.RetryFor, DefaultRetryFor)
	opts.OutletDownAfter = cmp.Or(opts.OutletDownAfter, DefaultOutletDownAfter)
	opts.Retention = cmp.Or(opts.Retention, DefaultRetention)
	opts.BackoffBase = cmp.Or(opts.BackoffBase, time.Second)
	opts.BackoffMax = cmp.Or(opts.BackoffMax, 10*time.Minute)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	d := &Dispatcher{store: store, router: router, outlets: outlets, opts: opts,
		wake: make(chan struct{}, 1), sem: make(chan struct{}, opts.Concurrency),
		inFlight: map[laneKey]bool{}, perOut: map[string]int{}, limits: map[string]*limiter{},
		health: map[string]*outletHealth{}, stats: map[string]*OutletStats{}}
	for name := range outlets {
		d.stats[name] = &OutletStats{}
		d.health[name] = &outletHealth{}
	}
	return d
}

// SetRates limits the notifications per second to each outlet (0 or absent: unlimited). The
// limit is this node's: in a cluster each node sends at most the rate.
func (d *Dispatcher) SetRates(rates map[string]float64) {
	for name, r := range rates {
		if r > 0 {
			d.limits[name] = newLimiter(r, d.opts.Now())
		}
	}
}

// Wake makes the dispatcher read the outbox now (a commit wrote to it).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Stats are the counters of outlet name (nil when there is none).
func (d *Dispatcher) Stats(name string) *OutletStats { return d.stats[name] }

// Outlets are the outlets' names, sorted.
func (d *Dispatcher) Outlets() []string {
	out := make([]string, 0, len(d.outlets))
	for n := range d.outlets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Pending counts each outlet's notifications not yet sent, and the age of its oldest.
func (d *Dispatcher) Pending(ctx context.Context) (count map[string]int64, oldest map[string]time.Duration, err error) {
	c, o, err := d.store.pending(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := d.opts.Now().UnixMilli()
	oldest = map[string]time.Duration{}
	for name, ms := range o {
		oldest[name] = time.Duration(max(0, now-ms)) * time.Millisecond
	}
	return c, oldest, nil
}

// Run sends until ctx ends, then waits for the sends in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	d.purge(ctx)
	for {
		d.round(ctx)
		// A little jitter keeps the nodes of a cluster from reading the outbox in step.
		t := time.NewTimer(d.opts.Poll + rand.N(d.opts.Poll/4+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-d.wake:
		case <-purge.C:
			d.purge(ctx)
		case <-t.C:
		}
		t.Stop()
	}
}

// round fires the due timers and starts sending the due notifications.
func (d *Dispatcher) round(ctx context.Context) {
	now := d.opts.Now()
	timers, err := d.store.dueTimers(ctx, now.UnixMilli(), d.opts.Batch)
	if err != nil && ctx.Err() == nil {
		d.opts.Logf("notify: reading timers: %v", err)
	}
	fired := false
	for _, t := range timers {
		err := d.store.fire(ctx, t, now.UnixMilli(), func(a *model.Alarm, seq int64) ([]Row, *Timer) {
			return d.router.Fire(t, a, seq, now)
		})
		switch {
		case err == nil:
			fired = true
		case errors.Is(err, errTimerGone) || ctx.Err() != nil:
		default:
			d.opts.Logf("notify: firing the %s timer of %s (route %q): %v", t.Kind, t.Alarm, t.Route, err)
		}
	}
	if fired {
		now = d.opts.Now()
	}
	rows, err := d.store.due(ctx, now.UnixMilli(), d.opts.Batch)
	if err != nil {
		if ctx.Err() == nil {
			d.opts.Logf("notify: reading the outbox: %v", err)
		}
		return
	}
	seen := map[laneKey]bool{}
	for _, r := range rows {
		lane := laneOf(r.Key)
		if seen[lane] {
			continue // one notification per lane at a time
		}
		seen[lane] = true
		if _, ok := d.outlets[r.Key.Outlet]; !ok {
			continue // an outlet no longer configured: its rows wait (they may come back with it)
		}
		if !d.start(lane, r.Key.Outlet) {
			continue
		}
		if l := d.limits[r.Key.Outlet]; l != nil {
			if ok, wait := l.take(d.opts.Now()); !ok {
				d.done(lane, r.Key.Outlet)
				time.AfterFunc(wait+time.Millisecond, d.Wake)
				continue
			}
		}
		d.wg.Add(1)
		go func(r leased) {
			defer d.wg.Done()
			defer d.done(lane, r.Key.Outlet)
			d.send(ctx, r)
		}(r)
	}
}

// start takes a place in flight for lane, unless it is taken or the outlet has its share.
func (d *Dispatcher) start(lane laneKey, outlet string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inFlight[lane] || d.perOut[outlet] >= max(1, d.opts.Concurrency/2) {
		return false
	}
	select {
	case d.sem <- struct{}{}:
	default:
		return false
	}
	d.inFlight[lane] = true
	d.perOut[outlet]++
	return true
}

func (d *Dispatcher) done(lane laneKey, outlet string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.inFlight, lane)
	d.perOut[outlet]--
	<-d.sem
}

// take leases r and checks its lane: it returns whether r is to be sent. A row another node holds
// a row of the lane of is given back; a row with a later one in its lane is superseded.
func (d *Dispatcher) take(ctx context.Context, r leased, now int64) (bool, error) {
	ok, err := d.store.claim(ctx, r.ID, d.opts.Node, now, now+d.opts.Lease.Milliseconds())
	if err != nil || !ok {
		return false, err
	}
	lane, err := d.store.lane(ctx, r.Key)
	if err != nil {
		_ = d.store.release(ctx, r.ID, d.opts.Node)
		return false, err
	}
	for _, o := range lane {
		if o.ID != r.ID && o.until >= now {
			// Another row of the lane is being sent (here or on another node): the order waits.
			return false, d.store.release(ctx, r.ID, d.opts.Node)
		}
	}
	if len(lane) == 0 {
		return false, nil // gone meanwhile (an acknowledgement cancelled it)
	}
	if latest := lane[len(lane)-1]; latest.ID != r.ID {
		rec := recordOf(r.Row, 0, StatusSuperseded, now, "superseded by "+latest.ID)
		d.stat(r.Key.Outlet).Superseded.Add(1)
		return false, d.store.finish(ctx, d.opts.Node, []Row{r.Row}, nil, 0, []Record{rec})
	}
	return true, nil
}

// send sends r and the rows of its group, and records the outcome.
func (d *Dispatcher) send(ctx context.Context, r leased) {
	now := d.opts.Now().UnixMilli()
	ok, err := d.take(ctx, r, now)
	if err != nil && ctx.Err() == nil {
		d.opts.Logf("notify: leasing %s: %v", r.ID, err)
	}
	if !ok {
		return
	}
	members := []Row{r.Row}
	if r.GroupKey != "" {
		mates, err := d.store.groupMates(ctx, r.Row, now, 1000)
		if err != nil && ctx.Err() == nil {
			d.opts.Logf("notify: reading the group of %s: %v", r.ID, err)
		}
		for _, m := range mates {
			if d.inLane(laneOf(m.Key), laneOf(r.Key)) {
				continue // a lane this node is sending in already
			}
			if ok, _ := d.take(ctx, m, now); ok {
				members = append(members, m.Row)
			}
		}
	}
	n, err := d.notification(r.Row, members)
	if err == nil {
		o := d.outlets[r.Key.Outlet]
		sendCtx, cancel := context.WithTimeout(ctx, d.opts.Lease*2/3)
		err = o.Send(sendCtx, r.Key.Target, n)
		cancel()
	}
	if ctx.Err() != nil && err != nil {
		for _, m := range members {
			_ = d.store.release(context.WithoutCancel(ctx), m.ID, d.opts.Node)
		}
		return
	}
	d.outcome(context.WithoutCancel(ctx), r.Row, members, err)
}

// inLane reports whether this node sends in lane already (other than the one it holds).
func (d *Dispatcher) inLane(lane, own laneKey) bool {
	if lane == own {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inFlight[lane]
}

// notification is what members (the rows of one group, head first) send.
func (d *Dispatcher) notification(head Row, members []Row) (Notification, error) {
	n := Notification{ID: head.ID, Kind: BaseKind(head.Key.Kind), Route: head.Key.Route, Step: head.Key.Step,
		Timestamp: time.UnixMilli(head.Created)}
	for _, m := range members {
		var a Alarm
		if err := json.Unmarshal(m.Payload, &a); err != nil {
			return n, err
		}
		if d.opts.Links != nil {
			a.AckURL = d.opts.Links.AckURL(m.Key.Outlet, m.Key.Target, a.Alarm)
		}
		n.Alarms = append(n.Alarms, a)
	}
	sort.SliceStable(n.Alarms, func(i, j int) bool { return n.Alarms[i].Seq < n.Alarms[j].Seq })
	if len(n.Alarms) > 0 {
		n.Group = d.router.Group(head.Key.Route, &n.Alarms[0].Alarm)
	}
	return n, nil
}

// outcome records what sending members said, and retries or ends them.
func (d *Dispatcher) outcome(ctx context.Context, head Row, members []Row, err error) {
	now := d.opts.Now()
	ms := now.UnixMilli()
	stats := d.stat(head.Key.Outlet)
	var records []Record
	status, text := StatusSent, ""
	var retryAt int64
	if err != nil {
		text = CutError(err)
		var se *SendError
		permanent := errors.As(err, &se) && (se.Permanent || se.Gone)
		expired := time.Duration(ms-head.Created)*time.Millisecond >= d.opts.RetryFor
		if permanent || expired {
			status = StatusFailed
		} else {
			status = StatusRetrying
			delay := d.backoff(head.Attempts)
			if se != nil && se.RetryAfter > 0 {
				delay = se.RetryAfter
			}
			retryAt = ms + delay.Milliseconds()
		}
	}
	for _, m := range members {
		records = append(records, recordOf(m, m.Attempts+1, status, ms, text))
	}
	var done, retry []Row
	switch status {
	case StatusRetrying:
		retry = members
		stats.Retrying.Add(1)
	case StatusFailed:
		done = members
		stats.Failed.Add(1)
	default:
		done = members
		stats.Sent.Add(1)
	}
	if err := d.store.finish(ctx, d.opts.Node, done, retry, retryAt, records); err != nil {
		d.opts.Logf("notify: recording %s: %v", head.ID, err)
	}
	d.observe(ctx, head.Key.Outlet, err == nil, now, text)
	if status == StatusRetrying {
		// Wake for the retry if it is soon: the poll may be longer than a short back-off.
		time.AfterFunc(time.Duration(retryAt-ms)*time.Millisecond, d.Wake)
	}
}

// backoff is the delay before retry number attempts+1: BackoffBase doubled per attempt, at most
// BackoffMax, with jitter (between half and all of it), so receivers are not hit in waves.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	delay := d.opts.BackoffBase << min(attempts, 30)
	if delay <= 0 || delay > d.opts.BackoffMax {
		delay = d.opts.BackoffMax
	}
	return delay/2 + rand.N(delay/2+1)
}

func (d *Dispatcher) stat(outlet string) *OutletStats {
	if s := d.stats[outlet]; s != nil {
		return s
	}
	return &OutletStats{}
}

// observe tracks whether an outlet delivers: failing for OutletDownAfter raises its pulse/notify
// alarm, a delivery clears it.
func (d *Dispatcher) observe(ctx context.Context, outlet string, ok bool, now time.Time, reason string) {
	d.mu.Lock()
	h := d.health[outlet]
	if h == nil {
		d.mu.Unlock()
		return
	}
	var change string
	switch {
	case ok:
		h.failingSince = time.Time{}
		if h.down {
			h.down, change = false, model.ActionClear
		}
	case h.failingSince.IsZero():
		h.failingSince = now
	}
	if !ok && !h.down && now.Sub(h.failingSince) >= d.opts.OutletDownAfter {
		h.down, change = true, model.ActionRaise
	}
	since := h.failingSince
	d.mu.Unlock()
	if change == "" || d.opts.Alarm == nil {
		return
	}
	a := model.AlarmBusinessData{AlarmId: outlet, BusinessType: "pulse", BusinessId: "notify", Level: model.LevelCritical,
		Title: "Outlet " + outlet + " is not delivering", Time: now.UnixMilli(), Action: change}
	if change == model.ActionRaise {
		a.Content = "Every notification to " + outlet + " has failed since " + since.UTC().Format(time.RFC3339) + ": " + reason
	}
	if err := d.opts.Alarm(ctx, a); err != nil {
		d.opts.Logf("notify: the pulse/notify alarm of outlet %s: %v", outlet, err)
	}
}

// Test sends a test notification to outlet's targets now, outside the outbox, and returns what
// each target said (nil: delivered).
func (d *Dispatcher) Test(ctx context.Context, outlet string) (map[string]error, error) {
	o, ok := d.outlets[outlet]
	if !ok {
		return nil, errUnknownOutlet
	}
	now := d.opts.Now()
	out := map[string]error{}
	for _, t := range o.Targets() {
		k := Key{Outlet: outlet, Target: t, Seq: now.UnixNano(), Kind: KindTest}
		n := Notification{ID: k.ID(), Kind: KindTest, Group: map[string]string{}, Timestamp: now, Alarms: []Alarm{{Alarm: model.Alarm{
			AlarmBusinessData: model.AlarmBusinessData{AlarmId: "test", BusinessType: "pulse", BusinessId: "notify",
				Level: model.LevelInfo, Title: "Test notification from Pulse", Content: "Sent by POST /api/v1/notify/test.", Time: now.UnixMilli()},
			Status: model.StatusActive, Count: 1, FirstTime: now.UnixMilli(), LastTime: now.UnixMilli()}}}}
		sendCtx, cancel := context.WithTimeout(ctx, d.opts.Lease*2/3)
		out[t] = o.Send(sendCtx, t, n)
		cancel()
	}
	return out, nil
}

var errUnknownOutlet = errors.New("no such outlet")

// IsUnknownOutlet reports whether err is Test's answer for an outlet that is not configured.
func IsUnknownOutlet(err error) bool { return errors.Is(err, errUnknownOutlet) }

// Enqueue writes the notifications of events (the silence helper's unsilenced ones, say) in a
// transaction of their own, and wakes the dispatcher.
func (d *Dispatcher) Enqueue(ctx context.Context, events []Event) error {
	now := d.opts.Now()
	p := d.router.Plan(events, now)
	if p.Empty() {
		return nil
	}
	if err := d.store.enqueue(ctx, p, now.UnixMilli()); err != nil {
		return err
	}
	d.Wake()
	return nil
}

// purge deletes the records older than Retention, in batches.
func (d *Dispatcher) purge(ctx context.Context) {
	before := d.opts.Now().Add(-d.opts.Retention).UnixMilli()
	for ctx.Err() == nil {
		n, err := d.store.purge(ctx, before, 1000)
		if err != nil {
			if ctx.Err() == nil {
				d.opts.Logf("notify: purging delivery records: %v", err)
			}
			return
		}
		if n < 1000 {
			return
		}
	}
}

// urlInText finds URLs in an error's text; CutError keeps their scheme and host only.
var urlInText = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)([^/\s"?#]*@)?([^/\s"?#]+)[^\s"]*`)

// CutError is err's text for a record: a *SendError's own message, anything else with every URL
// cut to its scheme and host (a chat robot's path and query hold its secret; userinfo goes too).
func CutError(err error) string {
	var se *SendError
	if errors.As(err, &se) {
		return se.Error()
	}
	return urlInText.ReplaceAllString(err.Error(), "$1$3")
}
