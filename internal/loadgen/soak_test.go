package loadgen_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/loadgen"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// smallSoak is the soak's mix scaled down for a test: every part of it runs (held dashboards and
// consoles, churn of both kinds, alarms with acks and clears, console resumes) in seconds. The
// server runs in this process, so its PID is this process's, whose RSS is the tool's too: the
// drift is not judged (MaxRSSDrift 10 = 1,000 %), only read.
func smallSoak(addr string, d time.Duration) loadgen.SoakConfig {
	return loadgen.SoakConfig{
		Addrs: []string{addr}, Duration: d, Warmup: d / 3, Interval: time.Second,
		Dashboards: 40, Businesses: 10, RowRate: 40, Churn: 10, AlarmRate: 20, AlarmIDs: 50,
		Consoles: 4, Resume: 2 * time.Second, MaxRSSDrift: 10, Settle: time.Minute, PID: os.Getpid(),
	}
}

// TestSoakAgainstRealServer: a short soak against a real node delivers every row-data item to each
// dashboard of its business exactly once and in order, every alarm event to every console across
// its resumes, with no HTTP or connection failure; its lines carry the server's memory and
// counters that only grow, and it ends with the PASS line. How fast is not asserted.
func TestSoakAgainstRealServer(t *testing.T) {
	addr := pulsenode.Start(t, nil).Addr()
	cfg := smallSoak(addr, 8*time.Second)
	var samples []loadgen.SoakSample
	res, err := loadgen.RunSoak(context.Background(), cfg, nil, func(s loadgen.SoakSample) { samples = append(samples, s) })
	if err != nil {
		t.Fatal(err)
	}
	c := res.Counts
	if !res.Pass || len(res.Failures) > 0 || res.Error != "" {
		t.Fatalf("failed: %v (%s); %+v", res.Failures, res.Error, c)
	}
	if c.Lost != 0 || c.Duplicated != 0 || c.OutOfOrder != 0 || c.Misrouted != 0 || c.HTTPErrors != 0 || c.ConnErrors != 0 {
		t.Errorf("counters: %+v", c)
	}
	// 40 dashboards over 10 businesses: every accepted item reaches the 4 of its business.
	if c.Rows == 0 || c.RowDeliveries != 4*c.Rows {
		t.Errorf("%d row deliveries for %d items accepted, want 4 each", c.RowDeliveries, c.Rows)
	}
	if c.Alarms == 0 || c.AlarmDeliveries == 0 || c.Acks == 0 || c.Clears == 0 || c.Churned == 0 || c.Resumes == 0 {
		t.Errorf("a part of the mix did not run: %+v", c)
	}
	// A line before the load, one a second, one at the end; each reads the server.
	if len(samples) < 3 || samples[0].RowDeliveries != 0 {
		t.Fatalf("%d samples: %+v", len(samples), samples)
	}
	for i, s := range samples {
		if s.RSSKB <= 0 || s.HeapInuse <= 0 || s.FDs <= 0 || s.Goroutines <= 0 {
			t.Errorf("sample %d: the server's memory not read: %+v", i, s)
		}
		if i > 0 && (s.RowDeliveries < samples[i-1].RowDeliveries || s.ElapsedS < samples[i-1].ElapsedS) {
			t.Errorf("sample %d goes back: %+v after %+v", i, s, samples[i-1])
		}
	}
	if !res.Warmed || res.WarmRSSKB <= 0 || res.EndRSSKB <= 0 || res.MaxRSSKB < res.EndRSSKB {
		t.Errorf("RSS not measured: %+v", res)
	}
	var out strings.Builder
	res.WriteText(&out)
	if !strings.Contains(out.String(), "\nPASS: nothing lost, doubled or out of order, no HTTP error; RSS ") {
		t.Errorf("no pass line:\n%s", out.String())
	}
}

// TestSoakFailsWhenServerStops: a server that stops midway (here: shut down once the first row
// data has arrived) fails the soak, and the fail line says why, rather than the run erroring out
// or passing on what it saw before.
func TestSoakFailsWhenServerStops(t *testing.T) {
	n := pulsenode.Start(t, nil)
	node, addr := n.App, n.Addr()
	cfg := smallSoak(addr, 6*time.Second)
	cfg.Settle = 2 * time.Second // nothing more will come
	var once sync.Once
	res, err := loadgen.RunSoak(context.Background(), cfg, nil, func(s loadgen.SoakSample) {
		if s.RowDeliveries > 0 {
			once.Do(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = node.Shutdown(ctx)
			})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pass || res.Counts.HTTPErrors == 0 || res.Counts.ConnErrors == 0 || res.Error == "" {
		t.Fatalf("a stopped server passed or went uncounted: %v %+v", res.Failures, res.Counts)
	}
	var out strings.Builder
	res.WriteText(&out)
	if !strings.Contains(out.String(), "\nFAIL: ") || !strings.Contains(out.String(), "HTTP errors") {
		t.Errorf("no fail line naming the HTTP errors:\n%s", out.String())
	}
}

// TestSoakBadConfig: settings that cannot work are errors before anything is opened.
func TestSoakBadConfig(t *testing.T) {
	for _, cfg := range []loadgen.SoakConfig{
		{},
		{Addrs: []string{"x"}, Dashboards: 5, Businesses: 10},
		{Addrs: []string{"x"}, Duration: -time.Second},
		{Addrs: []string{"x"}, IngestKey: "two words"},
		{Addrs: []string{"x"}, PID: 1 << 30}, // no such process
	} {
		if _, err := loadgen.RunSoak(context.Background(), cfg, nil, nil); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
