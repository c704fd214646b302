// Package alarm is the durable alarm store: every raise, repeat, acknowledgement and clear is an
// event with a seq, committed to the database before anyone is told, then rung on the bus. It also
// answers consoles that resume (replay) and the alarm list.
package alarm

import (
	"cmp"
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/silence"
)

// groupWait is how long a group of a busy committer waits for more requests (see commitLoop):
// little beside a commit's fsync, which it spares the requests it adds.
const groupWait = 100 * time.Microsecond

// maxBatchOps bounds one group commit. The more alarms a group holds, the fewer pages of the
// tables and indexes each one dirties (their rows are spread over the pages; a page is written
// once per commit however many rows of it change): at 64 requests of 100 alarms waiting, groups
// of up to 10,000 rather than 2,000 took SQLite from 17,000 to 24,000 alarms/s with a lower p99.
// A group is one transaction: what bounds it is the time the store's write lock is held.
const maxBatchOps = 10000

// Options are the store's settings.
type Options struct {
	DB            gdb.ConfigNode // database.default
	Retention     time.Duration  // cleared alarms and old events are purged after this long (0: kept)
	PurgeInterval time.Duration  // how often retention runs (an hour when 0)
	// PurgeBatch is how many rows one purge transaction deletes at most (DefaultPurgeBatch when 0).
	PurgeBatch int
	// OnPurge, when set, hears of every purge job's run: its table, the rows it deleted, and whether
	// it failed (the metrics endpoint's retention counters).
	OnPurge func(table string, rows int64, err error)
	// Now is the store's clock: the time of commits (events' and keys' created_ms) and of
	// retention's cutoffs (time.Now when nil; tests move it).
	Now func() time.Time
	// OnCommit, when set, hears of every group commit: how many operations it held, how long the
	// transaction took, and whether it failed (the metrics endpoint's histograms).
	OnCommit func(ops int, took time.Duration, err error)
	// IdempotencyWindow is how long the answer of a raise that carried an Idempotency-Key is
	// replayed (DefaultIdempotencyWindow when 0); its key is deleted after it.
	IdempotencyWindow time.Duration
	// Notify, when set, routes every committed event to notifications, written to the outbox in
	// the event's transaction; Notified hears of every commit that may have written some.
	Notify   *notify.Router
	Notified func()
	// SilenceLimits bound the silences in force; a creation beyond them is refused 409
	// (silence.DefaultLimits when zero).
	SilenceLimits silence.Limits
}

// Service stores alarms and rings the bus for each committed event.
type Service struct {
	store  *store
	bus    bus.Bus
	opts   Options
	writes *writeHealth

	replays  atomic.Int64 // consoles given their history
	replayed atomic.Int64 // events those replays sent

	now     func() time.Time // Options.Now
	purging sync.WaitGroup   // retentionLoop, which Close waits for

	mu     sync.RWMutex // guards closed against sends on reqs
	closed bool
	reqs   chan *request
	done   chan struct{}
	stop   chan struct{}

	idleRelease time.Duration // see idleRelease
}

// request is what one caller submits: its operations and where to hear the outcome.
type request struct {
	ops  []*op
	err  error // the transaction's error, when it failed
	done chan struct{}
}

// New opens the store (creating the schema if needed) and starts the committer and retention.
func New(ctx context.Context, b bus.Bus, opts Options) (*Service, error) {
	st, err := openStore(ctx, opts.DB)
	if err != nil {
		return nil, err
	}
	s := &Service{store: st, bus: b, opts: opts, reqs: make(chan *request, 1024),
		done: make(chan struct{}), stop: make(chan struct{}), now: opts.Now, idleRelease: idleRelease,
		writes: &writeHealth{database: st.name, log: g.Log(), now: time.Now}}
	if s.now == nil {
		s.now = time.Now
	}
	st.keyWindow = cmp.Or(opts.IdempotencyWindow, DefaultIdempotencyWindow)
	st.notify, st.notified = opts.Notify, opts.Notified
	st.silenceLimits = opts.SilenceLimits
	if st.silenceLimits == (silence.Limits{}) {
		st.silenceLimits = silence.DefaultLimits()
	}
	go s.commitLoop()
	s.purging.Add(2)
	go s.retentionLoop()
	go s.silenceLoop()
	return s, nil
}

// Close stops taking operations, commits what was submitted, and closes the database.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	close(s.stop)
	s.mu.Unlock()
	<-s.done
	s.purging.Wait()
	return s.store.close(ctx)
}

// Raise stores alarms (already validated, with id and time filled in) and returns their receipts
// in order, once committed. An item whose Action is "clear" clears its alarm instead, as
// clearedBy (the ingest key's name): an unknown or cleared alarm is left as it is, and the
// receipt carries the alarm's latest seq (0 for an unknown one).
func (s *Service) Raise(ctx context.Context, items []model.AlarmBusinessData, clearedBy string) ([]model.AlarmReceipt, error) {
	receipts, _, err := s.raise(items, clearedBy, nil)
	return receipts, err
}

// raise is Raise, and RaiseOnce when key is not nil.
func (s *Service) raise(items []model.AlarmBusinessData, clearedBy string, key *idempotency.Key) (receipts []model.AlarmReceipt, replayed bool, err error) {
	ops := make([]*op, len(items))
	var c *claim
	if key != nil {
		c = &claim{key: *key, ops: ops}
	}
	for i := range items {
		if items[i].Action == model.ActionClear {
			ops[i] = &op{kind: opClear, key: items[i].Key(), user: clearedBy, source: true, claim: c}
		} else {
			ops[i] = &op{kind: opRaise, raise: items[i], key: items[i].Key(), claim: c}
		}
	}
	if err := s.submit(ops); err != nil {
		return nil, false, err
	}
	if c != nil {
		return c.result()
	}
	return receiptsOf(ops), false, nil
}

// Resolve finds the alarm ref names among those scope covers. A full key is checked against the
// scope only (whether the alarm exists, the operation finds out); a short one (the alarm's id
// alone) is looked up: none in scope is not found (404), several are ambiguous (409, code 1410).
// An alarm outside scope is answered as an unknown one, and the ambiguity names no business, so
// that nobody learns of other businesses' alarms.
func (s *Service) Resolve(ctx context.Context, ref model.AlarmKey, scope model.Scope) (model.AlarmKey, error) {
	if err := model.CheckName(ref.AlarmId); err != nil {
		return ref, gerror.NewCodef(consts.CodeInvalidInput, "alarmId: %v", err)
	}
	if ref.Short() && ref.BusinessType != "" {
		return ref, gerror.NewCode(consts.CodeInvalidInput, "businessId: must be given with businessType")
	}
	if !ref.Short() {
		if err := model.CheckName(ref.BusinessId); err != nil {
			return ref, gerror.NewCodef(consts.CodeInvalidInput, "businessId: %v", err)
		}
		if ref.BusinessType != "" {
			if err := model.CheckName(ref.BusinessType); err != nil {
				return ref, gerror.NewCodef(consts.CodeInvalidInput, "businessType: %v", err)
			}
		}
		if !scope.Covers(ref.BusinessType, ref.BusinessId) {
			return ref, notFound(ref)
		}
		return ref, nil
	}
	keys, err := s.store.keysOf(ctx, ref.AlarmId, scope)
	switch {
	case err != nil:
		return ref, unavailable(err)
	case len(keys) == 0:
		return ref, notFound(ref)
	case len(keys) > 1:
		return ref, gerror.NewCode(consts.CodeAmbiguousAlarm, "ambiguous alarmId: use /alarms/{businessType}/{businessId}/{alarmId}")
	}
	return keys[0], nil
}

// Change is who acknowledges or clears an alarm, and what they say about it.
type Change struct {
	// User is a name by model.CheckName; a clear's may be empty (auth off, a body without one).
	User string
	// Comment is kept in the alarm's state and event (model.CheckComment); empty: none.
	Comment string
}

// check reports why ch cannot change an alarm (user required unless optional).
func (ch Change) check(userOptional bool) error {
	if ch.User != "" || !userOptional {
		if err := model.CheckName(ch.User); err != nil {
			return gerror.NewCodef(consts.CodeInvalidInput, "user: %v", err)
		}
	}
	if err := model.CheckComment(ch.Comment); err != nil {
		return gerror.NewCodef(consts.CodeInvalidInput, "comment: %v", err)
	}
	return nil
}

// Ack acknowledges the alarm key (resolved) as ch says and returns its state; an alarm scope does
// not cover is not found (404). The user, whoever sends the acknowledgement (HTTP or a console),
// is a name by model.CheckName.
func (s *Service) Ack(ctx context.Context, key model.AlarmKey, ch Change, scope model.Scope) (*model.Alarm, error) {
	if err := ch.check(false); err != nil {
		return nil, err
	}
	return s.change(opAck, key, ch, scope)
}

// Clear clears the alarm key (resolved) as ch says (its user may be empty: auth off, a body
// without one) and returns its state; an alarm scope does not cover is not found (404).
func (s *Service) Clear(ctx context.Context, key model.AlarmKey, ch Change, scope model.Scope) (*model.Alarm, error) {
	if err := ch.check(true); err != nil {
		return nil, err
	}
	return s.change(opClear, key, ch, scope)
}

func (s *Service) change(kind opKind, key model.AlarmKey, ch Change, scope model.Scope) (*model.Alarm, error) {
	if err := model.CheckName(key.AlarmId); err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "alarmId: %v", err)
	}
	o := &op{kind: kind, key: key, user: ch.User, comment: ch.Comment, scope: scope}
	if err := s.submit([]*op{o}); err != nil {
		return nil, err
	}
	return o.state, o.err
}

// submit hands ops to the committer and waits for the commit, whatever the caller's context says:
// once submitted, an operation is committed or fails as a whole, and the caller hears which.
func (s *Service) submit(ops []*op) error {
	r := &request{ops: ops, done: make(chan struct{})}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return gerror.NewCode(consts.CodeUnavailable, "alarm store closed: server shutting down")
	}
	s.reqs <- r
	s.mu.RUnlock()
	<-r.done
	return r.err
}

// commitLoop is the group commit: it takes every request waiting, commits them in one
// transaction, rings the bus for the events in seq order, and answers the requests.
//
// A group is formed in two steps before it is committed. First the loop yields: the request that
// woke it made it the next goroutine to run, ahead of the requests that are ready and on their way
// here, and without the yield a group held little more than that one request (on one core, groups
// of one: 600 alarms/s). Then, when the last group held several requests (so posters are waiting
// on commits), it waits groupWait once: requests whose bytes arrived while it committed are read
// from the network only when nothing else runs. A lone request is committed at once. After
// idleRelease without a request, the write connection lets its page cache go (releaseMemory).
func (s *Service) commitLoop() {
	defer close(s.done)
	busy := false // the last group held more than one request
	idle := time.NewTimer(s.idleRelease)
	defer idle.Stop()
	for {
		var r *request
		select {
		case req, ok := <-s.reqs:
			if !ok {
				return
			}
			r = req
		case <-idle.C: // once per quiet spell: the timer is set again by the next commit
			s.releaseMemory()
			continue
		}
		batch, n := []*request{r}, len(r.ops)
		yielded, waited := false, !busy
	gather:
		for n < maxBatchOps {
			select {
			case more, ok := <-s.reqs:
				if !ok {
					break gather
				}
				batch, n, yielded = append(batch, more), n+len(more.ops), false
			default:
				switch {
				case !yielded:
					runtime.Gosched()
					yielded = true
				case !waited:
					time.Sleep(groupWait)
					waited, yielded = true, false
				default:
					break gather
				}
			}
		}
		busy = len(batch) > 1
		s.commitBatch(batch, n)
		idle.Reset(s.idleRelease)
	}
}

// releaseMemory lets the write connection's page cache go after idleRelease without a commit.
func (s *Service) releaseMemory() { s.store.releaseMemory() }

func (s *Service) commitBatch(batch []*request, n int) {
	ops := make([]*op, 0, n)
	for _, r := range batch {
		ops = append(ops, r.ops...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	events, err := s.store.commit(ctx, ops, s.now().UnixMilli())
	if s.opts.OnCommit != nil {
		s.opts.OnCommit(len(ops), time.Since(start), err)
	}
	s.writes.result(err)
	if err == nil && killAfterCommit != "" {
		dieIfKeyCommitted(ops)
	}
	if err == nil && len(events) > 0 {
		s.ring(ctx, events)
	}
	for _, r := range batch {
		if err != nil {
			// The cause (SQL, addresses) is for the log (s.writes), not for clients.
			r.err = gerror.NewCode(consts.CodeUnavailable, "alarm store unavailable: writes to the database fail; retry later")
		}
		close(r.done)
	}
}

// ring publishes committed events. A bus that fails loses nothing: the events are stored, and
// consoles get them on their next resume.
func (s *Service) ring(ctx context.Context, events []storedEvent) {
	out := make([]bus.Event, len(events))
	for i, e := range events {
		out[i] = bus.Event{Channel: bus.Alarm, BusinessType: e.Key.BusinessType, BusinessId: e.Key.BusinessId,
			Seq: e.Seq, Message: e.Message}
	}
	if err := s.bus.Publish(ctx, out...); err != nil {
		g.Log().Warningf(ctx, "alarm events %d..%d stored but not rung: %v", events[0].Seq, events[len(events)-1].Seq, err)
	}
}

func unavailable(err error) error {
	return gerror.WrapCode(consts.CodeUnavailable, err, "alarm store unavailable")
}

// Counts are the replays and the events they sent so far.
func (s *Service) Counts() (replays, replayedEvents int64) {
	return s.replays.Load(), s.replayed.Load()
}

// WritesFailing reports whether the store's last write failed (then it is not ready until a
// write succeeds; see Ready). It asks the database nothing.
func (s *Service) WritesFailing() bool { return s.writes.failing() != nil }

// Ready reports whether the database answers and takes writes: after a write failed, the store
// is not ready until a write succeeds. Nothing may be writing then (a node that is not ready gets
// no traffic), so Ready tries a write of its own.
func (s *Service) Ready(ctx context.Context) error {
	if s.writes.failing() != nil {
		s.writes.result(s.store.probe(ctx))
		if err := s.writes.failing(); err != nil {
			return err
		}
	}
	_, _, err := s.store.position(ctx)
	return err
}
