package loadgen

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram counts latencies in log-linear buckets of microseconds: exact below 256 µs, then 128
// buckets per power of two (at most 0.8 % wide: a latency ratio read off two of them is good to
// about 1 %), up to about 38 hours. It is safe for concurrent use; recording is two atomic adds
// and, rarely, a compare-and-swap.
type Histogram struct {
	buckets [histBuckets]atomic.Uint64
	count   atomic.Uint64
	max     atomic.Int64 // µs
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits // buckets per power of two above histExact
	histExact   = 2 * histSub      // values below this many µs get a bucket each
	histMaxExp  = 29
	histBuckets = histExact + histMaxExp*histSub
)

// histIndex is the bucket of v µs.
func histIndex(v uint64) int {
	if v < histExact {
		return int(v)
	}
	e := bits.Len64(v) - histSubBits - 1 // v>>e is in [histSub, 2*histSub)
	if e > histMaxExp {
		return histBuckets - 1
	}
	return histExact + (e-1)*histSub + int(v>>e) - histSub
}

// histUpper is the largest value, in µs, that falls into bucket i.
func histUpper(i int) uint64 {
	if i < histExact {
		return uint64(i)
	}
	e := (i-histExact)/histSub + 1
	m := uint64((i-histExact)%histSub + histSub)
	return (m+1)<<e - 1
}

// Record adds one latency; negative values (clock skew between machines) count as zero.
func (h *Histogram) Record(d time.Duration) {
	us := max(d.Microseconds(), 0)
	h.buckets[histIndex(uint64(us))].Add(1)
	h.count.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			return
		}
	}
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.count.Load() }

// Max is the largest recorded value.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Quantile returns the upper bound of the bucket holding the q-th quantile (0 < q ≤ 1), capped at
// the largest recorded value; 0 when nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			return min(time.Duration(histUpper(i))*time.Microsecond, h.Max())
		}
	}
	return h.Max()
}
