package alarm

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

// writeLogEvery is how often, at most, failing writes are logged.
const writeLogEvery = 10 * time.Second

// writeHealth follows the outcome of the store's writes: while the last one failed, the store is
// not ready. Failures are logged without flooding the log: the first at once, then at most one
// line per writeLogEvery, which counts the failures not logged; the recovery of a logged failure
// is logged too.
type writeHealth struct {
	database string // names the database in messages
	log      *glog.Logger
	now      func() time.Time

	mu        sync.Mutex
	err       error     // the last write's error; nil when it succeeded
	since     time.Time // when the current run of failures began
	failures  int       // in the current run
	unlogged  int       // failures since the last line
	lastLine  time.Time // of the last failure line
	announced bool      // a failure of the current run was logged
}

// result records the outcome of a write.
func (h *writeHealth) result(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ctx := context.Background()
	if err == nil {
		if h.announced {
			h.log.Infof(ctx, "alarm store: writes to %s succeed again, after %d failures since %s",
				h.database, h.failures, h.since.Format(time.RFC3339))
			h.unlogged = 0
		}
		h.err, h.failures, h.announced = nil, 0, false
		return
	}
	now := h.now()
	if h.err == nil {
		h.since = now
	}
	h.err, h.failures, h.unlogged = err, h.failures+1, h.unlogged+1
	if !h.lastLine.IsZero() && now.Sub(h.lastLine) < writeLogEvery {
		return
	}
	more := ""
	if h.unlogged > 1 {
		more = fmt.Sprintf(" (and %d more since the last line)", h.unlogged-1)
	}
	h.log.Stack(false).Errorf(ctx, "alarm store: a write to %s failed%s: %v", h.database, more, err)
	h.lastLine, h.unlogged, h.announced = now, 0, true
}

// failing returns why the store is not ready, or nil while its last write succeeded. The error
// itself is in the log: it may hold SQL and socket addresses.
func (h *writeHealth) failing() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		return nil
	}
	return gerror.NewCodef(consts.CodeUnavailable, "writes to %s fail: %d failures since %s (the server log has the error)",
		h.database, h.failures, h.since.Format(time.RFC3339))
}
