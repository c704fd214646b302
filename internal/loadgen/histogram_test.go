package loadgen

import (
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<36; v += 1 + v/512 {
		i := histIndex(v)
		if i < prev {
			t.Fatalf("index of %d went down: %d < %d", v, i, prev)
		}
		if up := histUpper(i); up < v || float64(up-v) > 0.008*float64(v)+1 {
			t.Fatalf("value %d: bucket %d upper bound %d", v, i, up)
		}
		prev = i
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.Quantile(c.q)
		if got < c.want || got > c.want+c.want/128 {
			t.Errorf("q%.2f = %v, want about %v", c.q, got, c.want)
		}
	}
	if h.Max() != time.Second || h.Count() != 1000 {
		t.Errorf("max %v count %d", h.Max(), h.Count())
	}
}
