package app

import (
	"context"
	"runtime/debug"
)

// releaseMemory runs once per quiet spell (see quiet): it lets go of what a load left scattered
// over the Go heap's spans, then collects and gives every free page back to the OS. The runtime
// does not move objects: a span stays in use while one object in it lives, and the few objects
// a load leaves behind (kept row data, remembered paths) were allocated one by one among its
// short-lived ones. So the row data kept is copied together (hub.Manager.Compact) and the
// router's remembered paths are forgotten (found again by a router search of microseconds).
func (a *App) releaseMemory() {
	a.RowData.Compact()
	if a.routes != nil {
		_ = a.routes.Clear(context.Background())
	}
	debug.FreeOSMemory()
}
