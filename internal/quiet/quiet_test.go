package quiet

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// TestReleasesOncePerQuiet: a release comes once the activity has stood still for the interval,
// once, and again only after new activity and a new quiet interval.
func TestReleasesOncePerQuiet(t *testing.T) {
	var work, releases int64
	t0 := time.Now()
	w := newWatcher(30*time.Second, func() int64 { return work }, func() { releases++ }, t0)
	defer w.Stop()
	steps := []struct {
		at   time.Duration // since t0
		work int64         // the activity count at this look
		want int64         // releases so far
	}{
		{1 * time.Second, 1, 0}, {2 * time.Second, 2, 0}, // busy
		{31 * time.Second, 2, 0},                           // quiet for 29 s
		{32 * time.Second, 2, 1},                           // quiet for 30 s: release
		{33 * time.Second, 2, 1}, {90 * time.Second, 2, 1}, // still quiet: already released
		{91 * time.Second, 3, 1},  // busy again
		{120 * time.Second, 3, 1}, // quiet for 29 s
		{121 * time.Second, 3, 2}, // quiet again: release
	}
	for i, s := range steps {
		work = s.work
		w.tick(t0.Add(s.at))
		if releases != s.want {
			t.Fatalf("look %d (at %s, activity %d): %d releases, want %d", i, s.at, s.work, releases, s.want)
		}
	}
}

// TestQuietKeepsTheHeapNearLive: while the watcher is quiet the collector runs once the garbage
// reaches a tenth of the live heap (its goal with the usual GOGC is twice it); the first activity
// gives the usual goal back, and so does Stop.
func TestQuietKeepsTheHeapNearLive(t *testing.T) {
	var work int64
	t0 := time.Now()
	w := newWatcher(30*time.Second, func() int64 { return work }, func() {}, t0)
	defer w.Stop()
	live := make([][]byte, 0, 64)
	for range 64 {
		live = append(live, make([]byte, 1<<20))
	}
	usual := gogc()

	w.tick(t0.Add(31 * time.Second))
	if got := gogc(); got != quietGCPercent {
		t.Fatalf("GOGC %d while quiet, want %d", got, quietGCPercent)
	}
	for range 256 { // 256 MiB of garbage, four times the live heap
		_ = make([]byte, 1<<20)
	}
	runtime.KeepAlive(live)
	if goal, max := heapGoal(), uint64(64<<20)*(100+quietGCPercent+5)/100; goal > max {
		t.Fatalf("heap goal %d MiB while quiet with 64 MiB live, want at most %d MiB", goal>>20, max>>20)
	}

	work++
	w.tick(t0.Add(32 * time.Second))
	if got := gogc(); got != usual {
		t.Fatalf("GOGC %d after new activity, want %d back", got, usual)
	}
	w.tick(t0.Add(70 * time.Second))
	w.Stop()
	if got := gogc(); got != usual {
		t.Fatalf("GOGC %d after Stop of a quiet watcher, want %d back", got, usual)
	}
	runtime.KeepAlive(live)
}

// TestQuietNeedsEveryWatcher: with two servers in a process, the goal is lowered only while both
// are quiet, and a GOGC lower than the quiet one is left alone.
func TestQuietNeedsEveryWatcher(t *testing.T) {
	usual := gogc()
	t0 := time.Now()
	var busy int64
	a := newWatcher(time.Second, func() int64 { return 0 }, func() {}, t0)
	defer a.Stop()
	b := newWatcher(time.Second, func() int64 { return busy }, func() {}, t0)
	defer b.Stop()
	a.tick(t0.Add(2 * time.Second))
	busy++
	b.tick(t0.Add(2 * time.Second))
	if got := gogc(); got != usual {
		t.Fatalf("GOGC %d with one watcher quiet and one busy, want %d", got, usual)
	}
	b.tick(t0.Add(4 * time.Second))
	if got := gogc(); got != quietGCPercent {
		t.Fatalf("GOGC %d with both watchers quiet, want %d", got, quietGCPercent)
	}
	b.Stop()
	a.Stop()

	debug.SetGCPercent(5)
	defer debug.SetGCPercent(usual)
	c := newWatcher(time.Second, func() int64 { return 0 }, func() {}, t0)
	defer c.Stop()
	c.tick(t0.Add(2 * time.Second))
	if got := gogc(); got != 5 {
		t.Fatalf("GOGC %d while quiet with GOGC=5 set, want 5 (never raised)", got)
	}
}

// gogc is the collector's GOGC, as the runtime reports it.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// heapGoal is the heap size at which the next collection starts.
func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
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
	t0 := time.Now()
	w := newWatcher(time.Second, func() int64 { return 0 }, func() { calls.Add(1); debug.FreeOSMemory() }, t0)
	defer w.Stop()
	w.tick(t0.Add(time.Second))
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
