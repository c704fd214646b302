package middleware

import (
	"context"
	"sync"
	"time"

	"github.com/gogf/gf/v2/os/glog"
)

// causeLogEvery is how often, at most, the cause behind a refusal is logged: while Redis or the
// database is down every request is refused for the same reason, and one line tells it.
const causeLogEvery = 10 * time.Second

// causeLog rate-limits LogCause.
var causeLog struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// LogCause logs the cause behind an answer that shows only its own text (a 503 "alarm store
// unavailable", a readiness check), at most once per causeLogEvery with a count of the rest.
func LogCause(status int, text string, cause error) {
	causeLog.mu.Lock()
	now := time.Now()
	if now.Sub(causeLog.last) < causeLogEvery {
		causeLog.suppressed++
		causeLog.mu.Unlock()
		return
	}
	suppressed := causeLog.suppressed
	causeLog.last, causeLog.suppressed = now, 0
	causeLog.mu.Unlock()
	glog.Warningf(context.Background(), "answered %d %q; cause: %v (%d more such answers not logged in the last %s)",
		status, text, cause, suppressed, causeLogEvery)
}
