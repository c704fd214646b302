// Package quiet gives back to the OS the memory a load left behind, once the server is quiet,
// and keeps giving back what the quiet server itself frees.
//
// The Go runtime returns freed heap to the OS by itself, but slowly and only down to what its
// collector's goal keeps at hand (about twice the heap that was live at the last collection): a
// server that served a burst and then idles keeps tens of megabytes it no longer uses until the
// next load. A Watcher looks at a count of activity every interval; after a whole interval without
// any it releases (debug.FreeOSMemory: a collection, then every free page given back), and again
// after each further quiet interval: an idle server still makes garbage (its pollers read the
// store every few seconds, a scrape reads /metrics), and the pages its collections free would
// otherwise stay resident, a megabyte in a few minutes. A collection on a quiet server costs a
// millisecond or two; nothing a client notices.
package quiet

import (
	"sync"
	"time"
)

// Watcher releases memory after each quiet interval.
type Watcher struct {
	activity func() int64 // a count that grows with the work done (messages published, delivered)
	release  func()
	stop     chan struct{}
	once     sync.Once

	last int64
}

// Start watches activity every interval and calls release after each interval in which it did
// not change. Stop ends it.
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

// tick is one look at the activity: busy since the last look, or quiet (release).
func (w *Watcher) tick() {
	if now := w.activity(); now != w.last {
		w.last = now
		return
	}
	w.release()
}

// Stop ends the watch.
func (w *Watcher) Stop() { w.once.Do(func() { close(w.stop) }) }
