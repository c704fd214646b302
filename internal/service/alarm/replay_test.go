package alarm

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// raiseSized raises one alarm per size, each with data of that many bytes.
func raiseSized(t testing.TB, s *Service, sizes ...int) {
	t.Helper()
	items := make([]model.AlarmBusinessData, len(sizes))
	for i, size := range sizes {
		items[i] = model.AlarmBusinessData{AlarmId: fmt.Sprintf("big-%d", i), BusinessId: "b", Level: "warning", Time: 1,
			Data: json.RawMessage(`"` + strings.Repeat("é", size/2) + `"`)} // two bytes, one character each
	}
	for len(items) > 0 { // a few at a time: one commit of 90 MB takes GoFrame longer than its timeout
		n := min(len(items), 10)
		if _, err := s.Raise(context.Background(), items[:n], ""); err != nil {
			t.Fatal(err)
		}
		items = items[n:]
	}
}

// TestReplayPagesByBytes: whatever size the stored events are, a replay (resume, or the state of
// open alarms) and the feed's catch-up read them in pages of at most ReplayFrameBytes, an event
// larger than that alone; every event comes once, in order. Sizes are counted in bytes, not
// characters.
func TestReplayPagesByBytes(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		s := open(t, node, newRecorder())
		budget := ReplayFrameBytes
		sizes := []int{budget + 1000, 100 << 10, 100 << 10, 100 << 10, 10, 2 * budget, budget / 2, 10, 10}
		raiseSized(t, s, sizes...)
		if _, err := s.Clear(context.Background(), bKey("big-8"), Change{}, model.Scope{}); err != nil { // seq 10: state has 1..8
			t.Fatal(err)
		}
		for _, c := range []struct {
			resume bool
			want   []string // events per frame
		}{
			{true, []string{"1", "2 3", "4 5", "6", "7 8", "9 10"}},
			{false, []string{"1", "2 3", "4 5", "6", "7 8"}},
		} {
			var got []string
			covered, err := s.Replay(0, c.resume, model.Scope{})(func(frame []byte) error {
				var seqs []string
				for _, o := range strings.Split(string(frame), "\n") {
					var f model.AlarmMessage
					if err := json.Unmarshal([]byte(o), &f); err != nil {
						t.Fatal(err)
					}
					if f.Type == model.TypeAlarm {
						seqs = append(seqs, fmt.Sprint(f.Seq))
					}
				}
				if len(frame) > budget && len(seqs) > 1 {
					t.Errorf("resume=%v: a frame of %d bytes holds events %v", c.resume, len(frame), seqs)
				}
				if len(seqs) > 0 {
					got = append(got, strings.Join(seqs, " "))
				}
				return nil
			})
			if err != nil || covered != 10 || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("resume=%v: frames %q, covered %d, %v; want %q", c.resume, got, covered, err, c.want)
			}
		}

		var seqs []int64
		f := &Feed{store: s.store, next: 1, pending: map[int64]storedEvent{},
			to: publishFunc(func(_ hub.Key, m *hub.Message) int { seqs = append(seqs, m.Seq()); return 1 })}
		if err := f.catchUp(); err != nil || fmt.Sprint(seqs) != "[1 2 3 4 5 6 7 8 9 10]" {
			t.Fatalf("feed catch-up delivered %v, %v", seqs, err)
		}
	})
}

// BenchmarkReplayLargeHistory replays 100 alarms of 900 KB each (as stored before ingest capped
// data) from SQLite and reports the peak heap in use while it runs and the largest frame.
func BenchmarkReplayLargeHistory(b *testing.B) {
	b0 := bus.NewMemory()
	b0.Subscribe(func(bus.Event) {}, nil) // keeps nothing
	s, err := New(context.Background(), b0, Options{DB: gdb.ConfigNode{
		Link: "sqlite::@file(" + b.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	sizes := make([]int, 100)
	for i := range sizes {
		sizes[i] = 900 << 10
	}
	raiseSized(b, s, sizes...)

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // samples the heap while the benchmark runs
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	peak.Store(base.HeapInuse)
	largest := 0
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Replay(0, true, model.Scope{})(func(frame []byte) error { largest = max(largest, len(frame)); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "base-heap-MB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(largest)/(1<<10), "largest-frame-KB")
}
