package notify

import (
	"sync"
	"time"
)

// limiter spaces sends 1/rate apart (a token bucket of one token), so an outlet's rate is never
// exceeded over any window, however short.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, now time.Time) *limiter {
	return &limiter{rate: rate, burst: 1, tokens: 1, last: now}
}

// take takes a token if there is one; if not, it says how long until there is.
func (l *limiter) take(now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens = min(l.burst, l.tokens+el*l.rate)
		l.last = now
	}
	if l.tokens < 1 {
		return false, time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
	}
	l.tokens--
	return true, 0
}
