// Package poll is how a test waits for something that is due: it checks a condition until it
// holds, and gives up only when the test would otherwise hang. It imports nothing but the standard
// library, so any package's tests may use it, the engine's included, without pulling GoFrame or a
// database driver into their binary (package testsvc does).
package poll

import (
	"testing"
	"time"
)

// Patience bounds every wait for something that is due: it only ends a test that would otherwise
// hang, so it is generous enough for a busy 2-core machine under the race detector. A test waits
// for a condition, never for a time, and asserts nothing about how long it took.
const Patience = 30 * time.Second

// interval is the pause between two checks: short next to anything a test waits for, long enough
// not to starve what it waits on.
const interval = 5 * time.Millisecond

// Until checks cond until it holds and reports whether it did within Patience. A test that fails
// with what it saw at the end uses it; one with a fixed message uses Eventually.
func Until(cond func() bool) bool {
	for deadline := time.Now().Add(Patience); !cond(); time.Sleep(interval) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// Eventually checks cond until it holds, and fails the test with the message if it does not
// within Patience. The arguments are evaluated before the wait: a message that must tell the
// state at the end belongs after Until.
func Eventually(t testing.TB, cond func() bool, format string, args ...any) {
	t.Helper()
	if !Until(cond) {
		t.Fatalf(format, args...)
	}
}
