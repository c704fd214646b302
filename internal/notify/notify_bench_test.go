package notify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkAlarmIngestNotify is BenchmarkAlarmIngest with a new alarm per request, notifications
// off and on (a route taking every alarm to a webhook receiver answering 204 at once, in this
// process): the outbox row is written in each alarm's commit, and the dispatcher sends a webhook
// per alarm beside the ingest. Five rounds run off and on alternately (off, off#01, ...); compare
// the medians. PULSE_BENCH_DB=mysql or pgsql stores the alarms in the machine's MariaDB or
// PostgreSQL rather than in each node's SQLite file.
//
//	go test -run xxx -bench 'AlarmIngestNotify$' -benchtime 3000x ./internal/notify/ | grep alarms/s
func BenchmarkAlarmIngestNotify(b *testing.B) {
	benchIngestNotify(b, notify.Route{Name: "all", To: []string{"hook"}})
}

// BenchmarkAlarmIngestNotifyGrouped is BenchmarkAlarmIngestNotify with the route grouping alarms
// by business type for a second, as a storm's route would: an outbox row per alarm still, but a
// webhook per group.
//
//	go test -run xxx -bench AlarmIngestNotifyGrouped -benchtime 3000x ./internal/notify/ | grep alarms/s
func BenchmarkAlarmIngestNotifyGrouped(b *testing.B) {
	benchIngestNotify(b, notify.Route{Name: "all", To: []string{"hook"}, GroupBy: []string{"businessType"}, GroupWait: time.Second})
}

func benchIngestNotify(b *testing.B, route notify.Route) {
	server := os.Getenv("PULSE_BENCH_DB")
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	for i := range 10 {
		on := i%2 == 1
		name := map[bool]string{false: "off", true: "on"}[on]
		b.Run(name, func(b *testing.B) {
			n := pulsenode.Start(b, func(c *config.Config) {
				if server != "" {
					c.Database = gdb.ConfigNode{Link: testsvc.Database(b, server, "pulse_bench")}
				}
				if on {
					c.Notify.Outlets = []notify.OutletConfig{{Name: "hook", Type: "webhook", URL: recv.URL, Secrets: []string{pulsenode.HookSecret}}}
					c.Notify.Routes = []notify.Route{route}
				}
			})
			pulsenode.PostAlarms(b, n, 0, nil)
		})
	}
}

// BenchmarkNotifyLatency raises one alarm at a time on a node routing every alarm to a webhook
// receiver (groupWait 0) and measures the time from the raise's request to the receiver getting
// its notification: p50 and p99 of b.N raises.
//
//	go test -run xxx -bench NotifyLatency -benchtime 500x ./internal/notify/
func BenchmarkNotifyLatency(b *testing.B) {
	got := make(chan string, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body notify.WebhookBody
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.WriteHeader(http.StatusNoContent)
		for _, a := range body.Data.Alarms {
			got <- a.AlarmId
		}
	}))
	defer recv.Close()
	n := pulsenode.Start(b, func(c *config.Config) {
		c.Notify.Outlets = []notify.OutletConfig{{Name: "hook", Type: "webhook", URL: recv.URL, Secrets: []string{pulsenode.HookSecret}}}
		c.Notify.Routes = []notify.Route{{Name: "all", To: []string{"hook"}}}
	})
	client := &http.Client{}
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("lat-%d", i)
		start := time.Now()
		resp, err := client.Post(n.Base+"/api/v1/alarm", "application/json",
			strings.NewReader(`{"alarmId":"`+id+`","businessType":"meter","businessId":"m","level":"major","title":"t"}`))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		for a := range got {
			if a == id {
				break
			}
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkNotifyGroup raises 1,000 alarms of one group (five requests of 200) on a route with
// groupWait 2s to one webhook, and reports how many notifications carried them
// (notifications/op, per round) and the time from the first raise until the last alarm arrived.
//
//	go test -run xxx -bench NotifyGroup -benchtime 3x ./internal/notify/
func BenchmarkNotifyGroup(b *testing.B) {
	const alarms = 1000
	var calls, seen atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body notify.WebhookBody
		_ = json.NewDecoder(r.Body).Decode(&body)
		calls.Add(1)
		seen.Add(int64(len(body.Data.Alarms)))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	n := pulsenode.Start(b, func(c *config.Config) {
		c.Notify.Outlets = []notify.OutletConfig{{Name: "hook", Type: "webhook", URL: recv.URL, Secrets: []string{pulsenode.HookSecret}}}
		c.Notify.Routes = []notify.Route{{Name: "g", To: []string{"hook"}, GroupBy: []string{"businessType"}, GroupWait: 2 * time.Second}}
	})
	var took time.Duration
	b.ResetTimer()
	for round := range b.N {
		calls.Store(0)
		seen.Store(0)
		start := time.Now()
		for part := range 5 {
			items := make([]string, 200)
			for i := range items {
				items[i] = fmt.Sprintf(`{"alarmId":"g-%d-%d","businessType":"grp%d","businessId":"m-%d","level":"minor","title":"t"}`, round, part*200+i, round, i%7)
			}
			n.Raise(`{"items":[` + strings.Join(items, ",") + `]}`)
		}
		for seen.Load() < alarms {
			time.Sleep(10 * time.Millisecond)
		}
		took += time.Since(start)
		if got := calls.Load(); got > 2 {
			b.Errorf("round %d: %d notifications for one group of %d alarms", round, got, alarms)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(calls.Load()), "notifications/op")
	b.ReportMetric(took.Seconds()/float64(b.N), "s-to-last/op")
}
