package loadgen

import (
	"strings"
	"sync/atomic"
	"testing"
)

// TestSoakVerdict: the pass line needs every counter of a failure at 0, something delivered, and
// the RSS at the end within the drift limit of the RSS after the warm-up (a shrink passes; a run
// that did not outlast its warm-up is not judged on RSS).
func TestSoakVerdict(t *testing.T) {
	cfg := SoakConfig{RowRate: 1, AlarmRate: 1, Consoles: 1, MaxRSSDrift: 0.05}
	good := SoakCounts{RowDeliveries: 10, AlarmDeliveries: 10}
	warm := func(w, e int64) *SoakResult {
		return &SoakResult{Warmed: true, WarmRSSKB: w, EndRSSKB: e, RSSDrift: float64(e-w) / float64(w)}
	}
	for _, tc := range []struct {
		name   string
		counts SoakCounts
		res    *SoakResult
		want   string // "" passes
	}{
		{"clean", good, warm(1000, 1050), ""},
		{"shrank", good, warm(1000, 800), ""},
		{"not warmed", good, &SoakResult{EndRSSKB: 5000}, ""},
		{"grew", good, warm(1000, 1051), "RSS grew +5.1 % after the warm-up (limit 5 %)"},
		{"lost", SoakCounts{RowDeliveries: 10, AlarmDeliveries: 10, Lost: 2}, warm(1, 1), "2 lost"},
		{"doubled", SoakCounts{RowDeliveries: 10, AlarmDeliveries: 10, Duplicated: 1}, warm(1, 1), "1 duplicated"},
		{"reordered", SoakCounts{RowDeliveries: 10, AlarmDeliveries: 10, OutOfOrder: 3}, warm(1, 1), "3 out of order"},
		{"http", SoakCounts{RowDeliveries: 10, AlarmDeliveries: 10, HTTPErrors: 1}, warm(1, 1), "1 HTTP errors"},
		{"conn", SoakCounts{RowDeliveries: 10, AlarmDeliveries: 10, ConnErrors: 4}, warm(1, 1), "4 connection failures"},
		{"nothing", SoakCounts{}, warm(1, 1), "no row data delivered"},
	} {
		got := strings.Join(soakVerdict(tc.counts, tc.res, cfg), ", ")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestSeqCheck: a gap is lost until its numbers come (then out of order), a number seen again is a
// duplicate, and the tail short of the end is lost.
func TestSeqCheck(t *testing.T) {
	var cnt soakCounters
	var delivered atomic.Int64
	c := newSeqCheck(-1)
	for _, s := range []int64{0, 1, 3, 4, 2, 4, 7} {
		c.see(s, &cnt, &delivered)
	}
	c.upTo(9, &cnt)
	// 5, 6 missing (a gap), 8, 9 short of the end; 2 late; 4 twice.
	if cnt.lost.Load() != 4 || cnt.outOfOrder.Load() != 1 || cnt.duplicated.Load() != 1 || delivered.Load() != 6 {
		t.Fatalf("lost %d, out of order %d, duplicated %d, delivered %d", cnt.lost.Load(), cnt.outOfOrder.Load(),
			cnt.duplicated.Load(), delivered.Load())
	}
}
