package poll

import (
	"sync/atomic"
	"testing"
)

// TestUntil: a condition that comes to hold is waited for, and checked again after each pause.
func TestUntil(t *testing.T) {
	var checks atomic.Int64
	if !Until(func() bool { return checks.Add(1) == 3 }) {
		t.Fatal("Until gave up on a condition that held at the third check")
	}
	if checks.Load() != 3 {
		t.Fatalf("%d checks, want 3: none after the condition held", checks.Load())
	}
}
