package notify

import (
	"sync"
	"time"
)

// limiter is a token bucket: rate tokens a second, holding at most one second's worth (at least
// one), so an outlet's rate is never exceeded over any second.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, now time.Time) *limiter {
	burst := max(1, rate)
	return &limiter{rate: rate, burst: burst, tokens: 1, last: now}
}

// take takes a token if there is one.
func (l *limiter) take(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens = min(l.burst, l.tokens+el*l.rate)
		l.last = now
	}
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
