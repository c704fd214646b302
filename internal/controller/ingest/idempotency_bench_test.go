package ingest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
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
			cpu := processCPU()
			var prepare func(*http.Request, int64)
			if keyed {
				prepare = func(req *http.Request, i int64) {
					sum := sha256.Sum256([]byte(fmt.Sprint(i))) // spread like the UUIDs clients send
					req.Header.Set("Idempotency-Key", hex.EncodeToString(sum[:16]))
				}
			}
			pulsenode.PostAlarms(b, n, 5000, prepare)
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
