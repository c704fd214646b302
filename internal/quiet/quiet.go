// Package quiet gives back to the OS the memory a load left behind, once the server is quiet,
// and keeps the heap near what is live while the quiet lasts.
//
// The Go runtime returns freed heap to the OS by itself, but slowly and only down to what its
// collector's goal keeps at hand (about twice the heap that was live at the last collection): a
// server that served a burst and then idles keeps tens of megabytes it no longer uses until the
// next load. A Watcher looks at a count of activity every second; after a whole interval without
// any it releases once (debug.FreeOSMemory: a collection, then every free page given back), and
// not again until the next activity and quiet. A collection on a quiet server costs nothing a
// client notices.
//
// While every watcher of the process is quiet, the collector's goal is also lowered
// (quietGCPercent): an idle server still makes garbage (its pollers read the store every few
// seconds, a scrape reads /metrics), and with the usual goal that garbage would pile up to the
// size of the live heap before the next collection, megabytes of memory taken back from the OS a
// page at a time. The first activity puts the goal back within a second.
package quiet

import (
	"runtime/debug"
	"sync"
	"time"
)

// quietGCPercent is the collector's goal (GOGC) while quiet: a collection once the garbage reaches
// a tenth of the live heap. An idle node's heap is a few megabytes, so that is a collection every
// minute or two, of a millisecond or so.
const quietGCPercent = 10

// look is how often a Watcher looks at the activity, and so how long a new load can run with the
// quiet goal.
const look = time.Second

// Watcher releases memory after a quiet interval.
type Watcher struct {
	activity func() int64 // a count that grows with the work done (messages published, delivered)
	release  func()
	interval time.Duration
	stop     chan struct{}
	once     sync.Once

	last     int64
	since    time.Time // when last was seen first
	released bool      // since the last activity: the watcher is quiet
}

// Start watches activity and calls release once it has not changed for interval (and lowers the
// collector's goal until it changes). Stop ends it.
func Start(interval time.Duration, activity func() int64, release func()) *Watcher {
	w := newWatcher(interval, activity, release, time.Now())
	go w.run()
	return w
}

func newWatcher(interval time.Duration, activity func() int64, release func(), now time.Time) *Watcher {
	collector.watch(+1)
	return &Watcher{activity: activity, release: release, interval: interval, stop: make(chan struct{}),
		last: activity(), since: now}
}

func (w *Watcher) run() {
	t := time.NewTicker(look)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			w.tick(now)
		}
	}
}

// tick is one look at the activity: busy since the last look, or quiet for interval (release
// once).
func (w *Watcher) tick(now time.Time) {
	n := w.activity()
	switch {
	case n != w.last:
		w.last, w.since = n, now
		if w.released {
			w.released = false
			collector.quieted(-1)
		}
	case !w.released && now.Sub(w.since) >= w.interval:
		w.released = true
		w.release()
		collector.quieted(+1)
	}
}

// Stop ends the watch.
func (w *Watcher) Stop() {
	w.once.Do(func() {
		close(w.stop)
		if w.released {
			collector.quieted(-1)
		}
		collector.watch(-1)
	})
}

// collector lowers the collector's goal while every watcher of the process is quiet (a process
// runs one server, tests run several) and puts back the goal it found, never raising one that was
// lower (GOGC) or off.
var collector goal

type goal struct {
	mu              sync.Mutex
	watchers, quiet int
	lowered         bool
	saved           int // the GC percent found when lowering
}

func (g *goal) watch(delta int) { g.adjust(delta, 0) }

func (g *goal) quieted(delta int) { g.adjust(0, delta) }

func (g *goal) adjust(watchers, quiet int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.watchers += watchers
	g.quiet += quiet
	switch want := g.watchers > 0 && g.quiet == g.watchers; {
	case want && !g.lowered:
		g.saved = debug.SetGCPercent(quietGCPercent)
		if g.saved >= 0 && g.saved < quietGCPercent {
			debug.SetGCPercent(g.saved)
		}
		g.lowered = true
	case !want && g.lowered:
		debug.SetGCPercent(g.saved)
		g.lowered = false
	}
}
