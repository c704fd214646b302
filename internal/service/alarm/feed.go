package alarm

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
)

const (
	// gapWait is how long events rung ahead of a missing seq wait for it before the store is
	// asked. Nodes ring after their commits, so across nodes the bell can come out of order by
	// about the time between one node's commit and its PUBLISH.
	gapWait = 100 * time.Millisecond
	// feedPoll is how often the feed asks the store for events it never heard of: the bell of the
	// last event before a quiet spell can be lost with nothing after it to reveal the gap.
	feedPoll = 2 * time.Second
)

// Feed hands alarm events to this node's consoles in seq order, with no gap and no duplicate,
// whatever order the bus rings them in and whatever the bus loses. The database is the truth;
// the bus only rings the bell: a missing seq, a bus that comes back after an outage, or the
// periodic poll makes the feed read what it missed from the store.
type Feed struct {
	store *store
	to    Publisher

	mu      sync.Mutex // held while delivering, so deliveries stay in seq order
	next    int64      // seq of the next event to deliver
	pending map[int64]storedEvent
	gap     *time.Timer // armed while pending waits for a missing seq

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

// Publisher is where a feed hands events: the alarm consoles' manager (*hub.Manager), which
// routes each by its key, the alarm's business.
type Publisher interface {
	Publish(key hub.Key, msg *hub.Message) int
}

// Feed starts a feed that publishes every event committed from now on to to, in seq order.
// Events up to now are history, for consoles to replay.
func (s *Service) Feed(ctx context.Context, to Publisher) (*Feed, error) {
	last, _, err := s.store.position(ctx)
	if err != nil {
		return nil, unavailable(err)
	}
	f := &Feed{store: s.store, to: to, next: last + 1, pending: map[int64]storedEvent{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go f.loop()
	return f, nil
}

// Offer is an event rung on the bus (see Service.ring: it carries the alarm's business).
func (f *Feed) Offer(e bus.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case e.Seq < f.next:
		return // delivered already, from the bus or the store
	case e.Seq > f.next:
		f.pending[e.Seq] = storedEvent{Seq: e.Seq, Message: e.Message,
			Key: model.AlarmKey{BusinessType: e.BusinessType, BusinessId: e.BusinessId}}
		if f.gap == nil {
			f.gap = time.AfterFunc(gapWait, f.CatchUp)
		}
		return
	}
	f.deliverLocked(storedEvent{Seq: e.Seq, Message: e.Message,
		Key: model.AlarmKey{BusinessType: e.BusinessType, BusinessId: e.BusinessId}})
	f.flushLocked()
}

// CatchUp asks the feed to read from the store what it may have missed; it does not wait.
func (f *Feed) CatchUp() {
	select {
	case f.wake <- struct{}{}:
	default: // one is due already
	}
}

// Close stops the feed.
func (f *Feed) Close() {
	close(f.stop)
	<-f.done
}

func (f *Feed) loop() {
	defer close(f.done)
	t := time.NewTicker(feedPoll)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			f.mu.Lock()
			if f.gap != nil {
				f.gap.Stop()
			}
			f.mu.Unlock()
			return
		case <-f.wake:
		case <-t.C:
		}
		if err := f.catchUp(); err != nil {
			g.Log().Warningf(context.Background(), "alarm feed: reading missed events from the store: %v; again in %s", err, feedPoll)
		}
	}
}

// catchUp delivers every stored event after the last one delivered, then what was pending.
func (f *Feed) catchUp() error {
	f.mu.Lock()
	pages := f.store.events(f.next-1, math.MaxInt64, model.Scope{})
	f.mu.Unlock()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		events, err := pages.next(ctx)
		cancel()
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		f.mu.Lock()
		for _, e := range events {
			if e.Seq >= f.next {
				f.deliverLocked(e)
			}
		}
		f.mu.Unlock()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for seq := range f.pending {
		if seq < f.next {
			delete(f.pending, seq)
		}
	}
	if f.gap != nil {
		f.gap.Stop()
		f.gap = nil
	}
	f.flushLocked()
	return nil
}

// deliverLocked hands one event on; seqs the store no longer holds (purged) are skipped over.
func (f *Feed) deliverLocked(e storedEvent) {
	f.to.Publish(hub.Key{Type: e.Key.BusinessType, ID: e.Key.BusinessId}, hub.NewSeqMessage(e.Message, e.Seq))
	f.next = e.Seq + 1
}

// flushLocked delivers the pending events that now follow in order; if a gap remains, the store
// is asked after gapWait.
func (f *Feed) flushLocked() {
	for {
		e, ok := f.pending[f.next]
		if !ok {
			break
		}
		delete(f.pending, f.next)
		f.deliverLocked(e)
	}
	switch {
	case len(f.pending) == 0 && f.gap != nil:
		f.gap.Stop()
		f.gap = nil
	case len(f.pending) > 0 && f.gap == nil:
		f.gap = time.AfterFunc(gapWait, f.CatchUp)
	}
}
