package ingest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkAlarmIngestIdempotency is BenchmarkAlarmIngest (one alarm per request, 64 posters
// waiting for their answers, SQLite) without and with an Idempotency-Key on every request (a new
// one each time: the cost of checking and storing keys, not of replays). Compare the two with
// alternate runs of the test binary:
//
//	go test -c -o ingest.test ./internal/controller/ingest/
//	for i in 1 2 3 4 5 6; do ./ingest.test -test.run xxx -test.bench AlarmIngestIdempotency -test.benchtime 20000x; done
func BenchmarkAlarmIngestIdempotency(b *testing.B) {
	for _, keyed := range []bool{false, true} {
		name := "no key"
		if keyed {
			name = "key"
		}
		b.Run(name, func(b *testing.B) {
			n := pulsenode.Start(b, nil)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var id atomic.Int64
			cpu := processCPU()
			b.SetParallelism(32) // 32 x GOMAXPROCS posters
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := id.Add(1)
					req, err := http.NewRequest(http.MethodPost, n.Base+"/api/v1/alarm",
						strings.NewReader(fmt.Sprintf(`{"alarmId":"bench-%d","businessId":"m","title":"t"}`, i%5000)))
					if err != nil {
						b.Error(err)
						return
					}
					req.Header.Set("Content-Type", "application/json")
					if keyed {
						sum := sha256.Sum256([]byte(fmt.Sprint(i))) // spread like the UUIDs clients send
						req.Header.Set("Idempotency-Key", hex.EncodeToString(sum[:16]))
					}
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alarms/s")
			// The process is the server and its clients: the CPU both spend per alarm.
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/alarm")
		})
	}
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
