package app

import (
	"context"
	"runtime"
	"runtime/debug"
)

// releaseMemory runs after each quiet interval (see quiet): it collects and gives every free page
// back to the OS. The first time after some activity it also lets go of what the load left
// scattered over the Go heap's spans. The runtime does not move objects: a span stays in use while
// one object in it lives, and the few objects a load leaves behind (kept row data, remembered
// paths) were allocated one by one among its short-lived ones. So the row data kept is copied
// together (hub.Manager.Compact), the router's remembered paths are forgotten (found again by a
// router search of microseconds), and a first collection moves what sync.Pools hold (buffers of
// the load's connections and requests) to their victim caches, for the second to free.
func (a *App) releaseMemory() {
	if n := a.activity(); n != a.compactedAt {
		a.compactedAt = n
		a.RowData.Compact()
		if a.routes != nil {
			_ = a.routes.Clear(context.Background())
		}
		runtime.GC()
	}
	debug.FreeOSMemory()
}
