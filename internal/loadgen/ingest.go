package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// IngestConfig is a closed-loop ingest run: Posters goroutines, each over a kept-alive connection
// of its own, POST Batch items, wait for the answer and post again, for Warmup and then Duration.
// No subscriber is connected: it measures what ingest alone sustains (for alarms: durable commits).
type IngestConfig struct {
	Addrs     []string      // server base addresses (host:port); posters go round-robin
	Kind      string        // "rowdata" or "alarm"
	Posters   int           // concurrent posters, one request in flight each
	Batch     int           // items per POST (1: a single item, not {"items":[...]})
	Duration  time.Duration // measured window
	Warmup    time.Duration // posted before the window, not counted (connections, caches, the first inserts)
	Payload   int           // bytes of each item's data
	Keys      int           // businessIds k0..k<Keys-1>
	AlarmIDs  int           // alarm mode: alarmIds are drawn from this many of the run's own, so most posts repeat an alarm
	PID       int           // server process whose CPU time to report (same machine; 0 = none)
	IngestKey string        // sent as Authorization: Bearer ("" sends none)
}

// Defaults of IngestConfig's optional fields.
const (
	DefaultPosters  = 64
	DefaultWarmup   = time.Second
	DefaultAlarmIDs = 10000
	defaultKeys     = 100
)

// IngestResult is what one ingest run measured. Rates are per second, latencies in milliseconds.
type IngestResult struct {
	Mode     string   `json:"mode"` // "ingest"
	Kind     string   `json:"kind"` // "rowdata" or "alarm"
	Addrs    []string `json:"addrs"`
	Posters  int      `json:"posters"`
	Batch    int      `json:"batch"`
	Payload  int      `json:"payload"`
	AlarmIDs int      `json:"alarmIds,omitempty"`

	DurationS   float64 `json:"durationS"`   // the measured window
	Requests    int64   `json:"requests"`    // answered 200 in the window
	Items       int64   `json:"items"`       // items of those requests
	RequestRate float64 `json:"requestRate"` // requests per second
	ItemRate    float64 `json:"itemRate"`    // items (row-data items or alarms) per second
	Failed      int64   `json:"failed"`      // requests not answered 200 (whole run, warm-up included)
	P50Ms       float64 `json:"p50Ms"`       // time to the answer of one request
	P99Ms       float64 `json:"p99Ms"`
	MaxMs       float64 `json:"maxMs"`
	ToolCPU     float64 `json:"toolCpu"` // cores the tool used in the window

	// With PID: the server's user+system CPU in the window, as seconds, in cores, and per item.
	ServerCPUS         float64 `json:"serverCpuS,omitempty"`
	ServerCores        float64 `json:"serverCores,omitempty"`
	ServerCPUPerItemUs float64 `json:"serverCpuPerItemUs,omitempty"`

	OK    bool   `json:"ok"`              // every request answered 200
	Error string `json:"error,omitempty"` // the first failure
}

func (c IngestConfig) withDefaults() IngestConfig {
	if c.Posters == 0 {
		c.Posters = DefaultPosters
	}
	if c.Batch == 0 {
		c.Batch = 1
	}
	if c.Payload == 0 {
		c.Payload = DefaultPayload
	}
	if c.Keys == 0 {
		c.Keys = defaultKeys
	}
	if c.AlarmIDs == 0 {
		c.AlarmIDs = DefaultAlarmIDs
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	return c
}

func (c IngestConfig) check() error {
	switch {
	case len(c.Addrs) == 0:
		return errors.New("--addr: give at least one server address, such as 127.0.0.1:8000")
	case c.Kind != "rowdata" && c.Kind != "alarm":
		return fmt.Errorf("--ingest: rowdata or alarm, got %q", c.Kind)
	case c.Posters < 0 || c.Posters > 10000:
		return fmt.Errorf("--posters: must be 1 to 10000, got %d", c.Posters)
	case c.Batch < 0 || c.Batch > maxBatch:
		return fmt.Errorf("--batch: must be 1 to %d, got %d", maxBatch, c.Batch)
	case c.Duration <= 0:
		return errors.New("--duration: must be positive, such as 10s")
	case c.Keys < 0 || c.AlarmIDs < 0:
		return errors.New("--keys and --alarm-ids: must not be negative")
	}
	return checkIngestKey(c.IngestKey)
}

// ingestRun is what the posters of one run count together.
type ingestRun struct {
	cfg      IngestConfig
	tag      string // makes this run's alarmIds its own
	counting atomic.Bool
	stop     atomic.Bool
	requests atomic.Int64 // answered 200 while counting
	items    atomic.Int64
	failed   atomic.Int64
	hist     Histogram
	errOnce  sync.Once
	firstErr string
}

// RunIngest runs cfg against the servers and returns what the window measured. status, when not
// nil, receives a progress line every second.
func RunIngest(ctx context.Context, cfg IngestConfig, status io.Writer) (IngestResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return IngestResult{}, err
	}
	r := IngestResult{Mode: "ingest", Kind: cfg.Kind, Addrs: cfg.Addrs, Posters: cfg.Posters, Batch: cfg.Batch, Payload: cfg.Payload}
	if cfg.Kind == "alarm" {
		r.AlarmIDs = cfg.AlarmIDs
	}
	if cfg.PID > 0 { // a process that cannot be read is an error before anything is posted
		if _, err := readServerCPU(cfg.PID); err != nil {
			return r, err
		}
	}
	run := &ingestRun{cfg: cfg, tag: strconv.FormatUint(rand.Uint64()%(36*36*36*36*36*36), 36)}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: cfg.Posters, MaxConnsPerHost: cfg.Posters,
			IdleConnTimeout: time.Minute, DisableCompression: true,
		},
	}
	defer client.CloseIdleConnections()
	prog := newProgress(status)
	defer prog.close()
	var wg sync.WaitGroup
	for i := range cfg.Posters {
		url := "http://" + cfg.Addrs[i%len(cfg.Addrs)] + "/api/v1/" + cfg.Kind
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.post(client, url, uint64(i))
		}()
	}
	finish := func() {
		run.stop.Store(true)
		wg.Wait()
	}

	start := time.Now()
	prog.show(func() string { return fmt.Sprintf("warming up: %.0fs of %v", time.Since(start).Seconds(), cfg.Warmup) })
	if err := sleep(ctx, cfg.Warmup); err != nil {
		finish()
		return r, err
	}
	var serverBefore time.Duration
	if cfg.PID > 0 {
		var err error
		if serverBefore, err = readServerCPU(cfg.PID); err != nil {
			finish()
			return r, err
		}
	}
	clock := startCPUClock()
	begin := time.Now()
	run.counting.Store(true)
	prog.show(func() string {
		el := time.Since(begin).Seconds()
		return fmt.Sprintf("%s x%d: %.0fs of %v, %.0f requests/s, %.0f items/s, p99 %.1f ms", cfg.Kind, cfg.Batch,
			el, cfg.Duration, float64(run.requests.Load())/el, float64(run.items.Load())/el, ms(run.hist.Quantile(0.99)))
	})
	err := sleep(ctx, cfg.Duration)
	run.counting.Store(false)
	window, tool := time.Since(begin), clock.load()
	r.Requests, r.Items = run.requests.Load(), run.items.Load()
	if cfg.PID > 0 && err == nil {
		after, cerr := readServerCPU(cfg.PID)
		if cerr != nil {
			err = cerr
		}
		r.ServerCPUS = (after - serverBefore).Seconds()
	}
	finish()
	if err != nil {
		return r, err
	}
	r.DurationS, r.ToolCPU = window.Seconds(), tool
	r.RequestRate, r.ItemRate = float64(r.Requests)/r.DurationS, float64(r.Items)/r.DurationS
	if cfg.PID > 0 {
		r.ServerCores = r.ServerCPUS / r.DurationS
		if r.Items > 0 {
			r.ServerCPUPerItemUs = 1e6 * r.ServerCPUS / float64(r.Items)
		}
	}
	r.P50Ms, r.P99Ms, r.MaxMs = ms(run.hist.Quantile(0.5)), ms(run.hist.Quantile(0.99)), ms(run.hist.Max())
	r.Failed, r.Error = run.failed.Load(), run.firstErr
	r.OK = r.Failed == 0 && r.Requests > 0
	return r, nil
}

// post is one poster: it posts to url until the run stops.
func (run *ingestRun) post(client *http.Client, url string, poster uint64) {
	rng := rand.New(rand.NewPCG(rand.Uint64(), poster))
	var body []byte
	var seq uint64
	for !run.stop.Load() {
		body = run.encode(body[:0], rng, &seq)
		sent := time.Now()
		err := run.send(client, url, body)
		took := time.Since(sent)
		if err != nil {
			run.failed.Add(1)
			run.errOnce.Do(func() { run.firstErr = err.Error() })
			time.Sleep(10 * time.Millisecond) // a refusing server is not to be hammered in a tight loop
			continue
		}
		if run.counting.Load() {
			run.requests.Add(1)
			run.items.Add(int64(run.cfg.Batch))
			run.hist.Record(took)
		}
	}
}

// encode writes one request body: a single item, or {"items":[...]}.
func (run *ingestRun) encode(body []byte, rng *rand.Rand, seq *uint64) []byte {
	cfg := run.cfg
	if cfg.Batch > 1 {
		body = append(body, `{"items":[`...)
	}
	for i := range cfg.Batch {
		if i > 0 {
			body = append(body, ',')
		}
		if cfg.Kind == "alarm" {
			// An alarm is its business and its id: the business follows from the id, so that a
			// post of an id repeats its alarm.
			id := rng.IntN(cfg.AlarmIDs)
			body = appendAlarm(body, run.tag, id, id%cfg.Keys, *seq, cfg.Payload)
		} else {
			body = appendItem(body, rng.IntN(cfg.Keys), *seq, time.Now().UnixNano(), cfg.Payload)
		}
		*seq++
	}
	if cfg.Batch > 1 {
		body = append(body, `]}`...)
	}
	return body
}

// send posts body and reports anything but a 200 with code 0.
func (run *ingestRun) send(client *http.Client, url string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if run.cfg.IngestKey != "" {
		req.Header.Set("Authorization", "Bearer "+run.cfg.IngestKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"code":0`)) {
		return fmt.Errorf("POST %s: HTTP %d %s", url, resp.StatusCode, bytes.TrimSpace(answer[:min(len(answer), 300)]))
	}
	return nil
}

var alarmLevels = [...]string{"critical", "major", "minor", "warning", "info"}

// appendAlarm appends one alarm of the run tag: alarmId b<tag>-<id>, businessId k<key>, and data of
// payload bytes like a row-data item's.
func appendAlarm(b []byte, tag string, id, key int, seq uint64, payload int) []byte {
	b = append(b, `{"alarmId":"b`...)
	b = append(b, tag...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `","businessType":"`+BusinessType+`","businessId":"k`...)
	b = strconv.AppendInt(b, int64(key), 10)
	b = append(b, `","level":"`...)
	b = append(b, alarmLevels[id%len(alarmLevels)]...)
	b = append(b, `","title":"bench alarm","content":"raised by pulse bench --ingest alarm","data":`...)
	start := len(b)
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"pad":"`...)
	for pad := payload - (len(b) - start) - len(`"}`); pad > 0; pad-- {
		b = append(b, 'x')
	}
	return append(b, `"}}`...)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WriteText writes r as a few lines for a person.
func (r IngestResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "pulse bench --ingest %s: %d posters, %d item(s) per POST, %d-byte data, on %s, %.1fs\n",
		r.Kind, r.Posters, r.Batch, r.Payload, strings.Join(r.Addrs, ","), r.DurationS)
	fmt.Fprintf(w, "%.0f requests/s, %.0f %s/s; per request p50 %.1f ms, p99 %.1f ms, max %.1f ms; tool CPU %.0f%%\n",
		r.RequestRate, r.ItemRate, map[string]string{"alarm": "alarms", "rowdata": "items"}[r.Kind], r.P50Ms, r.P99Ms, r.MaxMs, 100*r.ToolCPU)
	if r.ServerCPUS > 0 {
		fmt.Fprintf(w, "server CPU %.2fs (%.2f cores), %.1f µs per item\n", r.ServerCPUS, r.ServerCores, r.ServerCPUPerItemUs)
	}
	if r.Failed > 0 {
		fmt.Fprintf(w, "! %d requests failed; first: %s\n", r.Failed, r.Error)
	}
}

// WriteJSON writes r as one line of JSON.
func (r IngestResult) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
