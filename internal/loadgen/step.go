package loadgen

import (
	"sync"
	"sync/atomic"
)

// stepState is what the publishers and subscribers of one rate step count together.
type stepState struct {
	hist      Histogram
	delivered atomic.Int64   // new items received, summed over subscribers
	accepted  []atomic.Int64 // per key: items the server accepted (HTTP 200)
	published atomic.Int64   // items accepted, all keys
	failed    atomic.Int64   // items whose POST failed
	posts     atomic.Int64   // POST requests answered 200

	errOnce  sync.Once
	firstErr string
}

func newStepState(keys int) *stepState {
	return &stepState{accepted: make([]atomic.Int64, keys)}
}

// fail records that a POST of n items failed, keeping the first reason.
func (st *stepState) fail(n int, reason string) {
	st.failed.Add(int64(n))
	st.errOnce.Do(func() { st.firstErr = reason })
}
