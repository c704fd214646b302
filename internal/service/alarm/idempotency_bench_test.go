package alarm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// BenchmarkRaiseIdempotency raises alarms from 64 callers that wait for their commit (a closed
// loop through the real group commit, SQLite in a temporary folder, no HTTP), one or 100 per call,
// without and with a new Idempotency-Key on every call: what checking and storing keys costs.
// Alternate runs of the test binary compare the two on a busy machine:
//
//	go test -c -o alarm.test ./internal/service/alarm/
//	for i in 1 2 3 4 5; do ./alarm.test -test.run xxx -test.bench RaiseIdempotency -test.benchtime 2s; done
func BenchmarkRaiseIdempotency(b *testing.B) {
	for _, per := range []int{1, 100} {
		for _, keyed := range []bool{false, true} {
			name := fmt.Sprintf("alarms=%d/no key", per)
			if keyed {
				name = fmt.Sprintf("alarms=%d/key", per)
			}
			b.Run(name, func(b *testing.B) { benchRaise(b, per, keyed) })
		}
	}
}

func benchRaise(b *testing.B, per int, keyed bool) {
	bb := bus.NewMemory()
	bb.Subscribe(func(bus.Event) {}, nil)
	s, err := New(context.Background(), bb, Options{DB: gdb.ConfigNode{
		Link: "sqlite::@file(" + b.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	var n atomic.Int64
	cpu := processCPU()
	b.SetParallelism(32) // 32 x GOMAXPROCS callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			items := make([]model.AlarmBusinessData, per)
			for j := range items {
				items[j] = model.AlarmBusinessData{AlarmId: fmt.Sprintf("b-%d", (i*int64(per)+int64(j))%5000),
					BusinessType: "bench", BusinessId: "k", Level: model.LevelMajor, Title: "bench alarm", Time: 1}
			}
			var err error
			if keyed {
				// Spread like the UUIDs clients send: each key lands on a page of its own.
				sum := sha256.Sum256([]byte(fmt.Sprint(i)))
				key, _ := idempotency.New("", hex.EncodeToString(sum[:16]), []byte(items[0].AlarmId))
				_, _, err = s.RaiseOnce(context.Background(), key, items, "")
			} else {
				_, err = s.Raise(context.Background(), items, "")
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "alarms/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N*per), "cpu-ns/alarm")
}
