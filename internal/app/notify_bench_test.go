package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// BenchmarkAlarmIngestNotify is BenchmarkAlarmIngest with a new alarm per request, notifications
// off and on (a route taking every alarm to a webhook receiver answering 204 at once, in this
// process): the outbox row is written in each alarm's commit, and the dispatcher sends beside the
// ingest. Five rounds run off and on alternately (off, off#01, ...); compare the medians.
//
//	go test -run xxx -bench AlarmIngestNotify -benchtime 3000x ./internal/app/ | grep alarms/s
func BenchmarkAlarmIngestNotify(b *testing.B) {
	var received atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	for i := range 10 {
		on := i%2 == 1
		name := map[bool]string{false: "off", true: "on"}[on]
		b.Run(name, func(b *testing.B) {
			n := startNode(b, func(c *config.Config) {
				if on {
					c.Notify.Outlets = []notify.OutletConfig{{Name: "hook", Type: "webhook", URL: recv.URL, Secrets: []string{hookSecret}}}
					c.Notify.Routes = []notify.Route{{Name: "all", To: []string{"hook"}}}
				}
			})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var id atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := fmt.Sprintf(`{"alarmId":"bench-%d","businessType":"meter","businessId":"m","level":"major","title":"t"}`, id.Add(1))
					resp, err := client.Post(n.base+"/api/v1/alarm", "application/json", strings.NewReader(body))
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
		})
	}
}
