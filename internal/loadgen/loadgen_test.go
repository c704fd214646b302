package loadgen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/loadgen"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestRunAgainstRealServer: every published item reaches exactly the subscribers of its key, once,
// and each step reports a result with its measurements filled in. How fast this machine published
// and delivered is not asserted (that is what `make bench` measures): a busy machine, or the race
// detector, makes the steps slower, never wrong.
func TestRunAgainstRealServer(t *testing.T) {
	addr := pulsenode.Start(t, nil).Addr()
	cfg := loadgen.Config{
		Addrs:    []string{addr},
		Subs:     50,
		Keys:     5,
		Rates:    []float64{200, 100}, // a second step checks that counting starts afresh
		Duration: time.Second,
		// Wait as long as it takes for the last deliveries: the wait ends once all are in, so a
		// generous bound costs nothing unless an item is really lost.
		StragglerWait: time.Minute,
	}
	var status strings.Builder
	results, err := loadgen.Run(context.Background(), cfg, &status, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	for i, r := range results {
		want := int64(r.TargetRate * cfg.Duration.Seconds())
		if r.Mode != "publish" || r.Step != i+1 || r.Batch <= 0 || r.Subs != cfg.Subs || r.Keys != cfg.Keys {
			t.Errorf("step %d: %+v", i+1, r)
		}
		if r.Published != want || r.PublishErrors != 0 {
			t.Errorf("step %d: published %d (errors %d), want %d", r.Step, r.Published, r.PublishErrors, want)
		}
		if r.Lost != 0 || r.Duplicated != 0 || r.Misrouted != 0 || r.Mangled != 0 || r.Disconnected != 0 ||
			r.Delivered != r.Expected || r.Error != "" {
			t.Errorf("step %d: %+v", r.Step, r)
		}
		// 50 subscribers over 5 keys: every item goes to 10 of them.
		if r.Expected != 10*r.Published {
			t.Errorf("step %d: expected %d for %d published: %+v", r.Step, r.Expected, r.Published, r)
		}
		// The measurements are there, whatever their values on this machine.
		if r.DurationS <= 0 || r.PublishRate <= 0 || r.DeliveriesRate <= 0 || r.ConnectRate <= 0 ||
			r.P50Ms <= 0 || r.P50Ms > r.P90Ms || r.P90Ms > r.P99Ms || r.P99Ms > r.MaxMs {
			t.Errorf("step %d: measurements missing or out of order: %+v", r.Step, r)
		}
		// Nothing went wrong, so the verdict is the speed's alone: it follows the step's own numbers.
		fast := r.P99Ms < float64(loadgen.DefaultSLO.Milliseconds()) && r.PublishRate >= 0.95*r.TargetRate
		if r.OK != fast {
			t.Errorf("step %d: ok %v with p99 %.1f ms and %.0f/s of %.0f/s published", r.Step, r.OK, r.P99Ms, r.PublishRate, r.TargetRate)
		}
	}
}

// TestFileLimitError: a need beyond the hard limit is an error that names both numbers.
func TestFileLimitError(t *testing.T) {
	err := loadgen.EnsureFileLimit(1 << 40)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(1<<40+64)) {
		t.Fatalf("got %v", err)
	}
	if err := loadgen.EnsureFileLimit(10); err != nil {
		t.Fatal(err)
	}
}

// TestIdle holds idle subscribers and reads the RSS of this very process.
func TestIdle(t *testing.T) {
	addr := pulsenode.Start(t, nil).Addr()
	results, err := loadgen.Run(context.Background(), loadgen.Config{
		Addrs: []string{addr}, Subs: 20, Idle: true, Duration: 100 * time.Millisecond, PID: os.Getpid(),
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Mode != "idle" || !r.OK || r.RSSAfterKB <= 0 || r.ConnectRate <= 0 {
		t.Fatalf("%+v", r)
	}
}

// TestBadConfig: settings that cannot work are errors before anything is dialled.
func TestBadConfig(t *testing.T) {
	for _, cfg := range []loadgen.Config{
		{Subs: 1, Rates: []float64{1}, Duration: time.Second},
		{Addrs: []string{"x"}, Subs: 1, Keys: 2, Rates: []float64{1}, Duration: time.Second},
		{Addrs: []string{"x"}, Subs: 1, Duration: time.Second},
		{Addrs: []string{"x"}, Subs: 1, Rates: []float64{-1}, Duration: time.Second},
	} {
		if _, err := loadgen.Run(context.Background(), cfg, nil, nil); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestIngestAgainstRealServer: a closed loop of posters against a real node, row data and alarms,
// single items and batches: every request is answered 200, the counts agree with each other, and
// the server CPU (this process's, the node runs in it) is read. Alarms are really stored: the
// node's alarm list holds the run's alarms afterwards. How fast this machine ingests is not
// asserted (that is what make bench measures).
func TestIngestAgainstRealServer(t *testing.T) {
	addr := pulsenode.Start(t, nil).Addr()
	for _, tc := range []struct {
		kind  string
		batch int
	}{{"rowdata", 1}, {"rowdata", 10}, {"alarm", 1}, {"alarm", 10}} {
		t.Run(fmt.Sprintf("%s-%d", tc.kind, tc.batch), func(t *testing.T) {
			r, err := loadgen.RunIngest(context.Background(), loadgen.IngestConfig{
				Addrs: []string{addr}, Kind: tc.kind, Posters: 4, Batch: tc.batch, AlarmIDs: 50,
				Duration: 300 * time.Millisecond, Warmup: 100 * time.Millisecond, PID: os.Getpid(),
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK || r.Failed != 0 || r.Error != "" {
				t.Fatalf("requests failed: %+v", r)
			}
			if r.Mode != "ingest" || r.Kind != tc.kind || r.Posters != 4 || r.Batch != tc.batch {
				t.Errorf("settings not reported: %+v", r)
			}
			if r.Requests <= 0 || r.Items != r.Requests*int64(tc.batch) || r.RequestRate <= 0 ||
				math.Abs(r.ItemRate-r.RequestRate*float64(tc.batch)) > 1e-6*r.ItemRate {
				t.Errorf("counts disagree: %+v", r)
			}
			if r.P50Ms <= 0 || r.P50Ms > r.P99Ms || r.P99Ms > r.MaxMs || r.DurationS < 0.3 {
				t.Errorf("latencies missing or out of order: %+v", r)
			}
			if r.ServerCPUS <= 0 || r.ServerCPUPerItemUs <= 0 || r.ServerCores <= 0 {
				t.Errorf("server CPU not read: %+v", r)
			}
		})
	}
	// The alarm runs stored their alarms: at most 50 ids each, all of them seen after that many posts.
	resp, err := http.Get("http://" + addr + "/api/v1/alarms?limit=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data struct {
			Items []struct {
				AlarmId string `json:"alarmId"`
			} `json:"items"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if n := len(list.Data.Items); n == 0 || n > 100 {
		t.Fatalf("%d alarms stored by two runs of 50 ids each", n)
	}
}

// TestIngestBadConfig: settings that cannot work are errors before anything is posted.
func TestIngestBadConfig(t *testing.T) {
	for _, cfg := range []loadgen.IngestConfig{
		{Kind: "alarm", Duration: time.Second},
		{Addrs: []string{"x"}, Kind: "alarms", Duration: time.Second},
		{Addrs: []string{"x"}, Kind: "alarm", Batch: 1001, Duration: time.Second},
		{Addrs: []string{"x"}, Kind: "rowdata"},
		{Addrs: []string{"x"}, Kind: "rowdata", Duration: time.Second, IngestKey: "two words"},
		{Addrs: []string{"x"}, Kind: "rowdata", Duration: time.Second, PID: 1 << 30}, // no such process
	} {
		if _, err := loadgen.RunIngest(context.Background(), cfg, nil); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
