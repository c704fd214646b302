package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy says how often and how long a request is tried again. Between attempts the client
// waits an exponential back-off with jitter: MinDelay, doubling up to MaxDelay, each wait drawn
// between half and all of its step, so that many clients refused at once do not return at once.
// A Retry-After of the server (429, 503) is waited in full when it is longer.
type RetryPolicy struct {
	// MaxAttempts counts the first try: 1 never retries. 0 or less retries until the request's
	// context ends.
	MaxAttempts int
	MinDelay    time.Duration
	MaxDelay    time.Duration
}

// DefaultRetryPolicy: 8 attempts, waits from 100 ms doubling up to 30 s (about 13 s in all when
// the server never asks for longer).
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 8, MinDelay: 100 * time.Millisecond, MaxDelay: 30 * time.Second}

// delay is the wait after the failed attempt number attempt (1-based), before the Retry-After.
func (p RetryPolicy) delay(attempt int) time.Duration {
	step := p.MinDelay
	for i := 1; i < attempt && step < p.MaxDelay; i++ {
		step *= 2
	}
	if step > p.MaxDelay {
		step = p.MaxDelay
	}
	if step <= 0 {
		return 0
	}
	half := step / 2
	return half + rand.N(step-half+1)
}

// retryable says whether a failed attempt may succeed when sent again, with the same
// Idempotency-Key and bytes: a connection error (the request may or may not have arrived; the key
// makes a repeat harmless), a server error (5xx), 408, 425, 429, and 409 code 1411 (the first copy
// of this very request is still being handled). Any other 4xx would be refused again.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return true // no answer: a connection error
	}
	switch {
	case e.Status >= 500:
		return true
	case e.Status == http.StatusRequestTimeout, e.Status == http.StatusTooEarly, e.Status == http.StatusTooManyRequests:
		return true
	case e.Status == http.StatusConflict && e.Code == codeInFlight:
		return true
	}
	return false
}

// codeInFlight is the server's code for "duplicate request still in flight" (409).
const codeInFlight = 1411

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date. 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// sleep waits d or until ctx ends, and returns ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
