package notify

import (
	"sync"
	"time"
)

// limiter spaces an outlet's sends 1/rate apart: each send reserves the next free slot, so the
// rate is never exceeded over any window, however short (this node's sends; see Options).
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time // the first free slot
}

func newLimiter(rate float64) *limiter {
	return &limiter{interval: time.Duration(float64(time.Second) / rate)}
}

// reserve takes the next free slot if it is within horizon of now, and returns its time; if not,
// it takes nothing and returns when the slot is.
func (l *limiter) reserve(now time.Time, horizon time.Duration) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	if slot.Sub(now) > horizon {
		return slot, false
	}
	l.next = slot.Add(l.interval)
	return slot, true
}
