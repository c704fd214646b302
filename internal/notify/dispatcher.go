package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// wakeDelay is how long a woken dispatcher waits before its round (see Run).
const wakeDelay = 5 * time.Millisecond

// Options tune a Dispatcher. Zero values take the defaults in brackets.
type Options struct {
	// Node names this node as the owner of the leases it takes: unique among the running nodes,
	// and the same after a restart, which takes back the leases of the process before it.
	Node            string
	Lease           time.Duration // how long a node holds a notification it sends [30s]
	Poll            time.Duration // how often the outbox is read when nothing wakes the dispatcher [1s]
	Batch           int           // rows read per round [200]
	Concurrency     int           // notifications in flight at once [16]; one outlet takes at most half
	RetryFor        time.Duration // [DefaultRetryFor]
	OutletDownAfter time.Duration // [DefaultOutletDownAfter]
	Retention       time.Duration // records are kept this long [DefaultRetention]
	BackoffBase     time.Duration // the first retry's delay; doubled per attempt, with jitter [1s]
	BackoffMax      time.Duration // [10m]
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

	links    atomic.Pointer[Links]
	wake     chan struct{}
	outcomes chan finishing // to the finisher
	sem      chan struct{}
	mu       sync.Mutex
	inFlight map[laneKey]bool
	groups   map[string]bool // groups being sent (groupOf)
	perOut   map[string]int  // notifications in flight per outlet
	starved  bool            // a round left a notification for want of a place in flight
	limits   map[string]*limiter
	health   map[string]*outletHealth
	gone     map[string]*SendError // outlets whose receiver answered 410 Gone: disabled until restart
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
	if opts.Node == "" {
		opts.Node = fmt.Sprintf("node-%x", rand.Uint64())
	}
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
		wake: make(chan struct{}, 1), outcomes: make(chan finishing, 256), sem: make(chan struct{}, opts.Concurrency),
		inFlight: map[laneKey]bool{}, groups: map[string]bool{}, perOut: map[string]int{}, limits: map[string]*limiter{},
		health: map[string]*outletHealth{}, gone: map[string]*SendError{}, stats: map[string]*OutletStats{}}
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
			d.limits[name] = newLimiter(r)
		}
	}
}

// SetLinks makes ack links with l (nil: none).
func (d *Dispatcher) SetLinks(l Links) {
	if l == nil {
		d.links.Store(nil)
		return
	}
	d.links.Store(&l)
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
	finished := make(chan struct{})
	go func() { defer close(finished); d.finisher() }()
	defer func() {
		d.wg.Wait() // the sends in flight record their outcomes
		close(d.outcomes)
		<-finished
	}()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	if err := d.store.releaseOwn(ctx, d.opts.Node); err != nil && ctx.Err() == nil {
		d.opts.Logf("notify: taking back this node's leases: %v", err)
	}
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
			// A woken round waits a moment for the commits that follow, so that it takes many
			// notifications at once rather than one round per commit.
			gather := time.NewTimer(min(wakeDelay, d.opts.Poll))
			select {
			case <-ctx.Done():
			case <-gather.C:
			}
			gather.Stop()
		case <-purge.C:
			d.purge(ctx)
		case <-t.C:
		}
		t.Stop()
	}
}

// reads is how many due rows of each outlet a round reads, and places how many it can start: an
// outlet takes at most half of the places in flight, and the round reads twice what it has free
// (rows of lanes or groups in flight wait and are passed over); an outlet with no place free is
// not read. Reading the whole batch while a few places were free read 200 rows to send 8, round
// after round: a tenth of the process's CPU under ingest with a webhook per alarm.
func (d *Dispatcher) reads() (reads, places map[string]int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	free := cap(d.sem) - len(d.sem)
	reads, places = map[string]int{}, map[string]int{}
	for name := range d.outlets {
		n := min(free, max(1, d.opts.Concurrency/2)-d.perOut[name])
		if n <= 0 {
			d.starved = true // done wakes a round when a place is free
			continue
		}
		reads[name], places[name] = min(d.opts.Batch, 2*n), n
	}
	return reads, places
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
		err := d.store.fire(ctx, t, now.UnixMilli(), d.router.deviceCache(), func(a *model.Alarm, seq int64) Firing {
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
	type candidate struct {
		r     leased
		group string
		slot  time.Time
	}
	var cands []candidate
	seen := map[laneKey]bool{}
	started := map[string]int{} // per outlet
	consider := func(rows []leased) {
		for _, r := range rows {
			lane := laneOf(r.Key)
			if seen[lane] {
				continue // one notification per lane at a time
			}
			seen[lane] = true
			if _, ok := d.outlets[r.Key.Outlet]; !ok {
				continue // an outlet no longer configured: its rows wait (they may come back with it)
			}
			group := groupOf(r.Row)
			if !d.start(lane, r.Key.Outlet, group) {
				continue
			}
			var slot time.Time
			if l := d.limits[r.Key.Outlet]; l != nil {
				var ok bool
				if slot, ok = l.reserve(d.opts.Now(), d.opts.Poll); !ok {
					d.done(lane, r.Key.Outlet, group)
					time.AfterFunc(time.Until(slot)-d.opts.Poll/2, d.Wake)
					continue
				}
			}
			started[r.Key.Outlet]++
			cands = append(cands, candidate{r, group, slot})
		}
	}
	reads, places := d.reads()
	read, err := d.store.due(ctx, reads, now.UnixMilli())
	if err != nil {
		if ctx.Err() == nil {
			d.opts.Logf("notify: reading the outbox: %v", err)
		}
		return
	}
	consider(read)
	// A read that came back full but started fewer than the outlet's places may have stopped at
	// rows waiting for their lanes or groups: that outlet's whole batch is read.
	got := map[string]int{}
	for _, r := range read {
		got[r.Key.Outlet]++
	}
	again := map[string]int{}
	for o, n := range reads {
		if n < d.opts.Batch && got[o] == n && started[o] < places[o] {
			again[o] = d.opts.Batch
		}
	}
	if len(again) > 0 {
		more, err := d.store.due(ctx, again, now.UnixMilli())
		if err != nil && ctx.Err() == nil {
			d.opts.Logf("notify: reading the outbox: %v", err)
		}
		consider(more)
	}
	if len(cands) == 0 {
		return
	}
	taken := make([]leased, len(cands))
	for i, c := range cands {
		taken[i] = c.r
	}
	ok, err := d.takeMany(ctx, taken, d.opts.Now().UnixMilli())
	if err != nil && ctx.Err() == nil {
		d.opts.Logf("notify: leasing: %v", err)
	}
	for _, c := range cands {
		lane := laneOf(c.r.Key)
		r, found := ok[c.r.ID]
		if !found {
			d.done(lane, c.r.Key.Outlet, c.group)
			continue
		}
		d.wg.Add(1)
		go func(c candidate) {
			defer d.wg.Done()
			defer d.done(lane, c.r.Key.Outlet, c.group)
			d.send(ctx, r, c.slot)
		}(c)
	}
}

// groupOf names r's group in a route's step to an outlet's target ("" when not grouped): one
// notification of a group is made at a time, so that it takes the group's rows waiting.
func groupOf(r Row) string {
	if r.GroupKey == "" {
		return ""
	}
	return r.Key.Route + "\n" + r.Key.Step + "\n" + r.Key.Outlet + "\n" + r.Key.Target + "\n" + r.GroupKey
}

// start takes a place in flight for lane (and group), unless it is taken or the outlet has its
// share.
func (d *Dispatcher) start(lane laneKey, outlet, group string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inFlight[lane] || (group != "" && d.groups[group]) {
		return false
	}
	if d.perOut[outlet] >= max(1, d.opts.Concurrency/2) {
		d.starved = true
		return false
	}
	select {
	case d.sem <- struct{}{}:
	default:
		d.starved = true
		return false
	}
	d.inFlight[lane] = true
	d.perOut[outlet]++
	if group != "" {
		d.groups[group] = true
	}
	return true
}

func (d *Dispatcher) done(lane laneKey, outlet, group string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.inFlight, lane)
	delete(d.groups, group)
	d.perOut[outlet]--
	<-d.sem
	if d.starved {
		// A round left due notifications for want of a place: the next takes them now, not at
		// the next poll (a push to 1,000 phones would otherwise leave 8 a second).
		d.starved = false
		d.Wake()
	}
}

// takeMany leases rows and checks their lanes: it returns the rows to send. A row whose lane has
// another row being sent (here or on another node) is given back: the order waits; a row with a
// later one in its lane is superseded by it; a row that is its lane's latest supersedes the
// earlier ones waiting for a retry, which would otherwise leave after it.
func (d *Dispatcher) takeMany(ctx context.Context, rows []leased, now int64) (map[string]leased, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	until := now + d.opts.Lease.Milliseconds()
	claimed, err := d.store.claimMany(ctx, ids, d.opts.Node, now, until)
	if err != nil || len(claimed) == 0 {
		return nil, err
	}
	var mine []leased
	for _, r := range rows {
		if claimed[r.ID] {
			mine = append(mine, r)
		}
	}
	lanes, err := d.store.lanes(ctx, mine)
	if err != nil {
		_ = d.store.releaseMany(ctx, ids, d.opts.Node)
		return nil, err
	}
	ok := map[string]leased{}
	var release []string
	var superseded []outcome
	for _, r := range mine {
		lane := lanes[laneOf(r.Key)]
		busy, present := false, false
		for _, o := range lane {
			present = present || o.ID == r.ID
			busy = busy || (o.ID != r.ID && o.until >= now)
		}
		if !present {
			continue // gone meanwhile (an acknowledgement cancelled it)
		}
		if busy {
			release = append(release, r.ID)
			continue
		}
		// The lane's latest row is the one to send (now if it is due, else when it is); every row
		// before it is superseded by it, r among them when r is not the latest.
		latest := lane[len(lane)-1]
		send := r
		if latest.ID != r.ID {
			send = leased{}
			if latest.Due <= now {
				got, err := d.store.claim(ctx, latest.ID, d.opts.Node, now, until)
				if err != nil || !got {
					release = append(release, r.ID) // another node took it: the lane is its
					continue
				}
				send = latest
			}
		}
		var others []string
		for _, o := range lane[:len(lane)-1] {
			if o.ID != r.ID {
				others = append(others, o.ID)
			}
		}
		var older []Row
		if latest.ID != r.ID {
			older = append(older, r.Row)
		}
		if len(others) > 0 {
			got, err := d.store.claimMany(ctx, others, d.opts.Node, now, until)
			if err != nil {
				release = append(release, r.ID)
				continue
			}
			for _, o := range lane[:len(lane)-1] {
				if got[o.ID] {
					older = append(older, o.Row)
				}
			}
		}
		if len(older) > 0 {
			superseded = append(superseded, d.supersededBy(older, latest.ID, now))
		}
		if send.ID != "" {
			ok[r.ID] = send
		}
	}
	if len(release) > 0 {
		if err := d.store.releaseMany(ctx, release, d.opts.Node); err != nil {
			return ok, err
		}
	}
	if len(superseded) > 0 {
		if err := d.store.finishMany(ctx, d.opts.Node, superseded); err != nil {
			for _, l := range ok {
				_ = d.store.release(ctx, l.ID, d.opts.Node)
			}
			return nil, err
		}
	}
	return ok, nil
}

// take is takeMany of one row: the row to send in its place (itself, or its lane's latest), if
// any.
func (d *Dispatcher) take(ctx context.Context, r leased, now int64) (leased, bool, error) {
	ok, err := d.takeMany(ctx, []leased{r}, now)
	l, found := ok[r.ID]
	return l, found, err
}

// withPayloads fills in the payloads of rows, which the outbox is read without.
func (d *Dispatcher) withPayloads(ctx context.Context, rows []Row) ([]Row, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	p, err := d.store.payloads(ctx, ids)
	if err != nil {
		return rows, err
	}
	for i := range rows {
		rows[i].Payload = p[rows[i].ID]
	}
	return rows, nil
}

// supersededBy is the outcome of rows (leased by this node) superseded by the notification by.
func (d *Dispatcher) supersededBy(rows []Row, by string, now int64) outcome {
	o := outcome{done: rows}
	for _, r := range rows {
		o.records = append(o.records, recordOf(r, 0, StatusSuperseded, now, "superseded by "+by))
		d.stat(r.Key.Outlet).Superseded.Add(1)
	}
	return o
}

// send sends r (taken: leased and first in its lane) and the rows of its group, not before slot
// (the outlet's rate), and records the outcome.
func (d *Dispatcher) send(ctx context.Context, r leased, slot time.Time) {
	now := d.opts.Now().UnixMilli()
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
			if l, ok, _ := d.take(ctx, m, now); ok && l.Key.Route == r.Key.Route && l.GroupKey == r.GroupKey {
				members = append(members, l.Row)
			} else if ok {
				_ = d.store.release(ctx, l.ID, d.opts.Node) // its lane's latest is of another group: it leaves with that
			}
		}
	}
	if wait := time.Until(slot); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	members, err := d.withPayloads(ctx, members)
	var n Notification
	if err == nil {
		n, err = d.notification(r.Row, members)
	}
	if err == nil && ctx.Err() == nil {
		if gone := d.goneOutlet(r.Key.Outlet); gone != nil {
			err = gone
		} else {
			o := d.outlets[r.Key.Outlet]
			sendCtx, cancel := context.WithTimeout(ctx, d.opts.Lease*2/3)
			if p, ok := o.(PushOutlet); ok {
				err = d.sendDevice(sendCtx, p, r.Key.Target, n)
			} else {
				err = o.Send(sendCtx, r.Key.Target, n)
			}
			cancel()
		}
	}
	if ctx.Err() != nil && err != nil {
		for _, m := range members {
			_ = d.store.release(context.WithoutCancel(ctx), m.ID, d.opts.Node)
		}
		return
	}
	d.outcome(context.WithoutCancel(ctx), r.Row, members, err)
}

// errNoDevice is the outcome of a notification to a device no longer registered (deleted,
// expired, or removed by another node): nothing to retry, and not the outlet's failure.
var errNoDevice = &SendError{Permanent: true, Gone: true, Reason: "the device is no longer registered"}

// sendDevice sends n to the registered device id through the push outlet p.
func (d *Dispatcher) sendDevice(ctx context.Context, p PushOutlet, id string, n Notification) error {
	dev, err := d.store.devices.Get(ctx, id, d.opts.Now().UnixMilli())
	switch {
	case err != nil:
		return &SendError{Reason: "reading the device: " + err.Error()}
	case dev == nil:
		return errNoDevice
	}
	return p.SendDevice(ctx, dev, n)
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
		if l := d.links.Load(); l != nil { // every notification, whatever its state (the page says what a link can do)
			a.AckURL = (*l).AckURL(m.Key.Outlet, m.Key.Target, a.Alarm)
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
	if err := d.finish(outcome{done: done, retry: retry, retryAt: retryAt, records: records}); err != nil {
		d.opts.Logf("notify: recording %s: %v", head.ID, err)
	}
	var se *SendError
	_, push := d.outlets[head.Key.Outlet].(PushOutlet)
	gone := errors.As(err, &se) && se.Gone
	switch {
	case gone && push: // the device, not the outlet: its token is dead
		if err := d.store.devices.Remove(ctx, head.Key.Target); err != nil {
			d.opts.Logf("notify: removing device %s, which its push service says is gone: %v", head.Key.Target, err)
		}
	case gone && head.Key.Target == "":
		d.disable(head.Key.Outlet, se)
	}
	d.observe(ctx, head.Key.Outlet, err == nil || (gone && push), now, text)
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

// purge deletes the records older than Retention, in batches, and the devices expired.
func (d *Dispatcher) purge(ctx context.Context) {
	if _, err := d.store.devices.Purge(ctx, d.opts.Now().UnixMilli()); err != nil && ctx.Err() == nil {
		d.opts.Logf("notify: purging expired devices: %v", err)
	}
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

// finishing is an outcome on its way to the store, and where to say it is stored.
type finishing struct {
	outcome
	stored chan error
}

// finish stores o with the outcomes of other sends that end meanwhile, in one transaction, and
// returns when it is stored: a store that commits one transaction at a time (SQLite) then spends
// one commit on many notifications, and leaves more of its time to alarm ingest.
func (d *Dispatcher) finish(o outcome) error {
	f := finishing{o, make(chan error, 1)}
	d.outcomes <- f
	return <-f.stored
}

// finishGather is how long the finisher waits for the outcomes of the sends still in flight, so
// that they are stored in one transaction rather than one each.
const finishGather = 2 * time.Millisecond

// finisher stores the outcomes finish hands it, those of the sends in flight at once (waiting
// finishGather for them) in one transaction.
func (d *Dispatcher) finisher() {
	gather := time.NewTimer(finishGather)
	for f := range d.outcomes {
		batch := []finishing{f}
		gather.Reset(finishGather)
	more:
		for len(batch) < 256 {
			wait := gather.C
			if len(batch) >= len(d.sem) {
				wait = nil // every send in flight has its outcome here: take only what waits
			}
			select {
			case f, ok := <-d.outcomes:
				if !ok {
					break more
				}
				batch = append(batch, f)
				continue
			default:
			}
			if wait == nil {
				break
			}
			select {
			case f, ok := <-d.outcomes:
				if !ok {
					break more
				}
				batch = append(batch, f)
			case <-wait:
				break more
			}
		}
		outcomes := make([]outcome, len(batch))
		for i, f := range batch {
			outcomes[i] = f.outcome
		}
		err := d.store.finishMany(context.Background(), d.opts.Node, outcomes)
		for _, f := range batch {
			f.stored <- err
		}
	}
}

// disable stops sending to an outlet whose receiver said it is gone (410): its notifications fail
// at once, recorded, until the node starts again (with the outlet's configuration fixed).
func (d *Dispatcher) disable(outlet string, why *SendError) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gone[outlet] == nil {
		d.opts.Logf("notify: outlet %s disabled until restart: %v", outlet, why)
		d.gone[outlet] = &SendError{Status: why.Status, Permanent: true, Gone: true, Where: why.Where,
			Reason: "outlet disabled: the receiver answered " + why.Reason}
	}
}

// goneOutlet is the refusal of a disabled outlet, nil for one that is not.
func (d *Dispatcher) goneOutlet(outlet string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.gone[outlet]; e != nil {
		return e
	}
	return nil
}
