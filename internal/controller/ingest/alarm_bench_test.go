package ingest_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkAlarmIngest posts one alarm per request from 64 concurrent posters to a real node with
// its SQLite store in a temporary folder. Every 200 means the alarm was committed; alarms/s is
// what the group commit sustains.
//
//	go test -run xxx -bench AlarmIngest -benchtime 20000x ./internal/controller/ingest/
func BenchmarkAlarmIngest(b *testing.B) {
	n := pulsenode.Start(b, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var id atomic.Int64
	b.SetParallelism(32) // 32 x GOMAXPROCS posters
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"alarmId":"bench-%d","businessId":"m","title":"t"}`, id.Add(1)%5000)
			resp, err := client.Post(n.Base+"/api/v1/alarm", "application/json", strings.NewReader(body))
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
}
