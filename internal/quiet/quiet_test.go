package quiet

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
)

// TestReleasesAfterEachQuietInterval: a release comes after each look that saw no activity since
// the one before, and none after a look that saw some.
func TestReleasesAfterEachQuietInterval(t *testing.T) {
	var work, releases int64
	w := &Watcher{activity: func() int64 { return work }, release: func() { releases++ }}
	steps := []struct {
		work int64 // the activity count at this look
		want int64 // releases so far
	}{
		{1, 0}, {2, 0}, // busy
		{2, 1},         // quiet: release
		{2, 2}, {2, 3}, // still quiet: what the idle server freed since goes back too
		{3, 3}, // busy again
		{3, 4}, // quiet again
	}
	for i, s := range steps {
		work = s.work
		w.tick()
		if releases != s.want {
			t.Fatalf("look %d (activity %d): %d releases, want %d", i, s.work, releases, s.want)
		}
	}
}

// TestReleaseGivesMemoryBack: after a burst of garbage, the release the server uses
// (debug.FreeOSMemory) leaves the heap the runtime holds near what is live, which the
// collector's goal alone does not.
func TestReleaseGivesMemoryBack(t *testing.T) {
	var keep [][]byte
	for range 64 {
		keep = append(keep, make([]byte, 1<<20))
	}
	keep = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var calls atomic.Int64
	w := &Watcher{activity: func() int64 { return 0 }, release: func() { calls.Add(1); debug.FreeOSMemory() }}
	w.tick()
	runtime.ReadMemStats(&after)
	if calls.Load() != 1 {
		t.Fatalf("%d releases, want 1", calls.Load())
	}
	if held := after.HeapIdle - after.HeapReleased; held > 8<<20 {
		t.Fatalf("after the release the runtime still holds %d MiB of idle heap (before: %d MiB), want under 8 MiB",
			held>>20, (before.HeapIdle-before.HeapReleased)>>20)
	}
	_ = keep
}
