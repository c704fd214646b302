package brokerin

import (
	"fmt"
	"sync"
	"time"
)

// LogEvery is how often, at most, a source logs a refused or unpublished message: a collector
// that sends nothing but bad payloads must not flood the log; the metrics count every one.
const LogEvery = 10 * time.Second

// limitedLog writes a source's lines; limited ones at most once per LogEvery, with a count of
// those it left out.
type limitedLog struct {
	out func(format string, args ...any)

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func newLimitedLog(out func(format string, args ...any)) *limitedLog {
	if out == nil {
		out = func(string, ...any) {}
	}
	return &limitedLog{out: out}
}

func (l *limitedLog) always(format string, args ...any) { l.out(format, args...) }

func (l *limitedLog) limited(format string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() && now.Sub(l.last) < LogEvery {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	suppressed := l.suppressed
	l.last, l.suppressed = now, 0
	l.mu.Unlock()
	line := fmt.Sprintf(format, args...)
	if suppressed > 0 {
		line += fmt.Sprintf(" (%d more such lines left out in the last %s)", suppressed, LogEvery)
	}
	l.out("%s", line)
}
