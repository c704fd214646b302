// Package quiet gives back to the OS the memory a load left behind, once the server is quiet.
//
// The Go runtime returns freed heap to the OS by itself, but slowly and only down to what its
// collector's goal keeps at hand (about twice the heap that was live at the last collection): a
// server that served a burst and then idles keeps tens of megabytes it no longer uses until the
// next load. A Watcher looks at a count of activity every interval; after one whole interval
// without any it releases once (debug.FreeOSMemory: a collection, then every free page given
// back), and not again until the next activity and quiet. A collection on a quiet server costs
// nothing a client notices.
package quiet

import (
	"sync"
	"time"
)

// Watcher releases memory after a quiet interval.
type Watcher struct {
	activity func() int64 // a count that grows with the work done (messages published, delivered)
	release  func()
	stop     chan struct{}
	once     sync.Once

	last     int64
	released bool // since the last activity
}

// Start watches activity every interval and calls release after an interval in which it did not
// change. Stop ends it.
func Start(interval time.Duration, activity func() int64, release func()) *Watcher {
	w := &Watcher{activity: activity, release: release, stop: make(chan struct{}), last: activity()}
	go w.run(interval)
	return w
}

func (w *Watcher) run(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.tick()
		}
	}
}

// tick is one look at the activity: busy since the last look, or quiet (release once).
func (w *Watcher) tick() {
	now := w.activity()
	switch {
	case now != w.last:
		w.last, w.released = now, false
	case !w.released:
		w.released = true
		w.release()
	}
}

// Stop ends the watch.
func (w *Watcher) Stop() { w.once.Do(func() { close(w.stop) }) }
