package alarm

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// BenchmarkPurgePause measures what retention costs ingest: a store holding 202,000 events older
// than the retention (2,000 alarms raised 100 times each, then cleared) is purged while a poster
// raises one alarm at a time, and the longest wait of one raise is reported (max-pause-ms), with
// its median and 99th percentile and the purge's own time. "batch=1000" is retention as it runs.
// (Before retention went by batches it deleted everything in one transaction: measured with the
// same store on the release before, the longest wait was the whole purge's.)
//
//	go test -run xxx -bench PurgePause -benchtime 1x ./internal/service/alarm/
//
// The store is SQLite in a temporary folder, or BENCH_LINK's database (an empty one of its own).
func BenchmarkPurgePause(b *testing.B) {
	for _, batch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			for range b.N {
				benchPurgePause(b, batch)
			}
		})
	}
}

func benchPurgePause(b *testing.B, batch int) {
	b.StopTimer()
	link := os.Getenv("BENCH_LINK")
	if link == "" {
		link = "sqlite::@file(" + b.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"
	}
	clk := newClock()
	s, err := New(context.Background(), quietBus(), Options{DB: gdb.ConfigNode{Link: link}, Now: clk.now,
		Retention: retention, PurgeBatch: batch})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := context.Background()
	const alarms, repeats = 2000, 100
	items := make([]model.AlarmBusinessData, alarms)
	for r := range repeats + 1 {
		for i := range items {
			items[i] = model.AlarmBusinessData{AlarmId: fmt.Sprintf("old-%d", i), BusinessId: "b", Level: "minor", Time: 1}
			if r == repeats {
				items[i].Action = model.ActionClear
			}
		}
		if _, err := s.Raise(ctx, items, ""); err != nil {
			b.Fatal(err)
		}
	}
	clk.add(retention + time.Hour)

	b.StartTimer()
	start := time.Now()
	done := make(chan time.Duration)
	go func() {
		s.purge(ctx, s.purgeJobs())
		done <- time.Since(start)
	}()
	var waits []time.Duration
	post := []model.AlarmBusinessData{{AlarmId: "live", BusinessId: "b", Level: "major", Time: 1}}
	var took time.Duration
	for took == 0 {
		t0 := time.Now()
		if _, err := s.Raise(ctx, post, ""); err != nil {
			b.Fatal(err)
		}
		waits = append(waits, time.Since(t0))
		select {
		case took = <-done:
		default:
		}
	}
	b.StopTimer()
	cutoff := clk.now().Add(-retention).UnixMilli()
	old, err := s.store.db.Model(dao.PulseAlarmEvent.Table()).WhereLT(dao.PulseAlarmEvent.Columns().CreatedMs, cutoff).Count()
	if err != nil || old != 0 || count(b, s, dao.PulseAlarm.Table()) != 1 {
		b.Fatalf("after the purge: %d old events (%v), want none, and only the live alarm", old, err)
	}
	slices.Sort(waits)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(waits[len(waits)-1]), "max-pause-ms")
	b.ReportMetric(ms(waits[len(waits)/2]), "p50-ms")
	b.ReportMetric(ms(waits[len(waits)*99/100]), "p99-ms")
	b.ReportMetric(took.Seconds(), "purge-s")
	b.ReportMetric(float64(len(waits)), "raises")
}
