package client

import (
	"net/http"
	"testing"
	"time"
)

// TestParseRetryAfter: seconds or an HTTP date; anything else is no wait of the server's.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":     0,
		"0":    0,
		"3":    3 * time.Second,
		"-1":   0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat):  90 * time.Second,
		now.Add(-90 * time.Second).Format(http.TimeFormat): 0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
}

// TestDelay: each wait is between half and all of its step, the steps doubling from MinDelay up
// to MaxDelay.
func TestDelay(t *testing.T) {
	p := RetryPolicy{MinDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, step := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		for range 100 {
			if d := p.delay(attempt); d < step/2 || d > step {
				t.Fatalf("attempt %d: waited %v, want %v to %v", attempt, d, step/2, step)
			}
		}
	}
}
