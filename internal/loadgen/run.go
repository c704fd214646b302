package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Run measures the servers of cfg.Addrs: it opens the subscribers, waits until the servers have
// registered all of them, then runs one step per rate (or, in idle mode, holds the connections),
// calling each, when not nil, with every result as soon as it is known. status, when not nil,
// receives a progress line every second. It returns the results so far and the first error.
func Run(ctx context.Context, cfg Config, status io.Writer, each func(Result)) ([]Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := EnsureFileLimit(cfg.Subs); err != nil {
		return nil, err
	}
	prog := newProgress(status)
	defer prog.close()
	probe := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer probe.CloseIdleConnections()

	var rssBefore int64
	if cfg.Idle && cfg.PID > 0 {
		var err error
		if rssBefore, err = readRSS(cfg.PID); err != nil {
			return nil, err
		}
	}
	w := newSwarm(cfg)
	start, clock := time.Now(), startCPUClock()
	prog.show(func() string {
		n := w.dialed.Load()
		return fmt.Sprintf("connecting: %d/%d (%.0f/s)", n, cfg.Subs, float64(n)/time.Since(start).Seconds())
	})
	if err := w.dial(ctx, cfg); err != nil {
		return nil, err
	}
	defer w.close()
	connectRate, connectCPU := float64(cfg.Subs)/time.Since(start).Seconds(), clock.load()
	prog.show(func() string { return "waiting for the servers to register every subscriber" })
	if err := waitSubscribed(ctx, probe, cfg.Addrs, cfg.Subs); err != nil {
		return nil, err
	}

	base := Result{
		Addrs: cfg.Addrs, Subs: cfg.Subs, Keys: cfg.Keys, Payload: cfg.Payload, ConnectRate: connectRate,
		ConnectCPU: connectCPU, Auth: cfg.Token != "" || cfg.IngestKey != "",
	}
	report := func(r Result) {
		prog.clear()
		if each != nil {
			each(r)
		}
	}
	if cfg.Idle {
		r, err := hold(ctx, cfg, w, prog, base, rssBefore)
		if err != nil {
			return nil, err
		}
		report(r)
		return []Result{r}, nil
	}

	if cfg.PID > 0 {
		prog.show(func() string { return "measuring the server's CPU while nothing is published" })
		var err error
		if base.ServerIdleCores, err = idleCores(ctx, cfg.PID); err != nil {
			return nil, err
		}
	}
	pub := newPublisher(cfg.Addrs, cfg.Keys, cfg.Payload, cfg.IngestKey)
	defer pub.close()
	var results []Result
	for i, rate := range cfg.Rates {
		r := base
		r.Mode, r.Step, r.TargetRate, r.Batch = "publish", i+1, rate, cfg.batchFor(rate)
		r, err := runStep(ctx, cfg, w, pub, prog, r, len(cfg.Rates))
		if err != nil {
			return results, err
		}
		results = append(results, r)
		report(r)
		if !r.OK && cfg.StopOnFail {
			break
		}
	}
	return results, nil
}

// minRateShare is the share of its target rate a step must publish at to count: below it, the
// servers (or the tool) did not take the offered load, and the latencies do not describe it.
const minRateShare = 0.95

// runStep publishes at r.TargetRate for cfg.Duration, waits for stragglers and fills in r.
func runStep(ctx context.Context, cfg Config, w *swarm, pub *publisher, prog *progress, r Result, steps int) (Result, error) {
	st := newStepState(cfg.Keys)
	for _, s := range w.subs {
		s.begin(st, pub.nextSeq[s.key])
	}
	var serverBefore time.Duration
	if cfg.PID > 0 {
		var err error
		if serverBefore, err = readServerCPU(cfg.PID); err != nil {
			return r, err
		}
	}
	start, clock := time.Now(), startCPUClock()
	prog.show(func() string {
		el := time.Since(start).Seconds()
		return fmt.Sprintf("step %d/%d, %g/s: %.0fs, published %d (%.0f/s), delivered %d (%.0f/s), p99 %.1f ms",
			r.Step, steps, r.TargetRate, el, st.published.Load(), float64(st.published.Load())/el,
			st.delivered.Load(), float64(st.delivered.Load())/el, ms(st.hist.Quantile(0.99)))
	})
	if err := pub.run(ctx, st, r.TargetRate, cfg.Duration, r.Batch); err != nil {
		return r, err
	}
	published, cpu := time.Since(start), clock.load()

	var expected int64
	for k := range cfg.Keys {
		expected += st.accepted[k].Load() * w.perKey[k]
	}
	for deadline := time.Now().Add(cfg.StragglerWait); st.delivered.Load() < expected && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}

	if cfg.PID > 0 {
		after, err := readServerCPU(cfg.PID)
		if err != nil {
			return r, err
		}
		spent, took := after-serverBefore, time.Since(start)
		if n := st.published.Load(); n > 0 {
			r.ServerCPUPerPublishMs = ms(spent) / float64(n)
			idle := time.Duration(r.ServerIdleCores * float64(took))
			r.ServerPublishCPUPerPublishMs = ms(max(spent-idle, 0)) / float64(n)
		}
		r.ServerCores = float64(spent) / float64(took)
	}

	var seen tally
	var last int64
	for _, s := range w.subs {
		t, lr := s.end()
		seen.add(t)
		last = max(last, lr)
		r.Lost += max(st.accepted[s.key].Load()-t.distinct, 0)
	}
	window := max(published, time.Duration(last-start.UnixNano()))
	r.DurationS, r.ToolCPU = published.Seconds(), cpu
	r.Published = st.published.Load()
	r.PublishRate = float64(r.Published) / published.Seconds()
	r.PublishErrors = st.failed.Load()
	r.Expected = expected
	r.Delivered = seen.distinct
	r.DeliveriesRate = float64(seen.distinct) / window.Seconds()
	r.Duplicated, r.Misrouted, r.Mangled = seen.dups, seen.misrouted, seen.mangled
	r.P50Ms, r.P90Ms = ms(st.hist.Quantile(0.5)), ms(st.hist.Quantile(0.9))
	r.P99Ms, r.MaxMs = ms(st.hist.Quantile(0.99)), ms(st.hist.Max())
	r.Disconnected = w.dropped.Load()
	r.Error = st.firstErr
	if r.Error == "" {
		r.Error = w.dropReason()
	}
	r.OK = r.Lost == 0 && r.Duplicated == 0 && r.Misrouted == 0 && r.Mangled == 0 && r.PublishErrors == 0 &&
		r.Disconnected == 0 && st.hist.Quantile(0.99) < cfg.SLO && r.PublishRate >= minRateShare*r.TargetRate
	return r, nil
}

// hold keeps the idle subscribers open for cfg.Duration and measures the server's RSS growth.
func hold(ctx context.Context, cfg Config, w *swarm, prog *progress, r Result, rssBefore int64) (Result, error) {
	r.Mode, r.Step = "idle", 1
	start := time.Now()
	prog.show(func() string {
		return fmt.Sprintf("holding %d idle subscribers: %.0fs of %v, %d disconnected",
			cfg.Subs, time.Since(start).Seconds(), cfg.Duration, w.dropped.Load())
	})
	select {
	case <-ctx.Done():
		return r, ctx.Err()
	case <-time.After(cfg.Duration):
	}
	r.HeldS = time.Since(start).Seconds()
	if cfg.PID > 0 {
		after, err := readRSS(cfg.PID)
		if err != nil {
			return r, err
		}
		r.RSSBeforeKB, r.RSSAfterKB = rssBefore, after
		r.RSSPerConnKB = float64(after-rssBefore) / float64(cfg.Subs)
	}
	r.Disconnected = w.dropped.Load()
	r.Error = w.dropReason()
	r.OK = r.Disconnected == 0
	return r, nil
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// idleWindow is how long the server's CPU is read while the subscribers are connected and nothing
// is published: its heartbeats and timers, which a step's CPU per item includes.
const idleWindow = 3 * time.Second

// idleSettle is how long the server is left, once every subscriber is registered, before its idle
// CPU is read: the last handshakes' work is not idle work.
const idleSettle = time.Second

// idleCores is the cores server pid uses with the subscribers connected and idle.
func idleCores(ctx context.Context, pid int) (float64, error) {
	if err := sleep(ctx, idleSettle); err != nil {
		return 0, err
	}
	before, err := readServerCPU(pid)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := sleep(ctx, idleWindow); err != nil {
		return 0, err
	}
	after, err := readServerCPU(pid)
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(time.Since(start)), nil
}
