package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gogf/gf/v2/os/gcmd"

	"github.com/pulse-monitoring/pulse/internal/loadgen"
)

// Bench is `pulse bench`: the load tool, run against Pulse servers that are already running.
var Bench = gcmd.Command{
	Name: "bench",
	Usage: "pulse bench [--addr 127.0.0.1:8000] [--subs 1000] [--keys 1] [--rate 100,200] [--duration 10s] [--json]\n" +
		"       pulse bench --ingest rowdata|alarm [--posters 64] [--batch 1] [--duration 10s] [--pid PID] [--json]\n" +
		"       pulse bench --soak [--duration 10m] [--warmup 1m] [--dashboards 2000] [--businesses 200] [--rowrate 200] [--churn 50] [--alarmrate 50] [--alarm-ids 2000] [--consoles 20] [--pid PID] [--json]",
	Brief: "measure running Pulse servers: deliveries/s, end-to-end latency, losses and duplicates, connect rate",
	Description: "Opens --subs subscriber WebSockets (subscriber i follows row data of businessType \"bench\", " +
		"businessId \"k<i%keys>\"), waits until the servers have registered them, then publishes through " +
		"POST /api/v1/rowdata at each --rate (publishes per second) for --duration, to uniformly random keys, " +
		"and reports what every subscriber received. With --idle it only holds the connections and reports " +
		"handshakes/s and, with --pid, the server's RSS growth per connection; with --pid, a publishing run also reports " +
		"the server's CPU time per item. A progress line goes to stderr, " +
		"results to stdout. Do not run two at once against the same servers: they share the keys. " +
		"Against servers with auth on, give a token (every subscriber's userName is then its sub; it needs " +
		"rowdata \"bench/*\" or \"*\") and an ingest key allowed rowdata for \"bench/*\" or \"*\", " +
		"preferably through $PULSE_BENCH_TOKEN and $PULSE_BENCH_INGEST_KEY, which other users cannot read " +
		"in the process list as they can the flags. " +
		"With --ingest rowdata|alarm it opens no subscriber: --posters concurrent posters, each over a kept-alive " +
		"connection of its own, POST --batch items, wait for the answer and post again (a closed loop), for " +
		"--warmup and then --duration, and it reports requests/s, items/s, the time to each answer and, with " +
		"--pid, the server's CPU seconds per item. Alarm ids are the run's own, drawn from --alarm-ids, so most " +
		"alarms repeat one raised earlier in the run. " +
		"With --soak it runs a steady mix against one server for --duration (default 10m): --dashboards held " +
		"row-data connections over --businesses \"meter\" businesses fed --rowrate items/s (numbered per business), " +
		"--churn connections/s opened and closed (dashboards that read their snapshot, consoles that resume with " +
		"since and leave after synced), --alarmrate alarms/s drawn from --alarm-ids ids, one ack and one clear a " +
		"second over HTTP, and --consoles consoles that close and resume with since every 30 s. Every 10 s it " +
		"prints the server's RSS and descriptors (with --pid), Go heap in use and goroutines (from its /metrics) " +
		"and the delivery counters, and at the end a PASS or FAIL line: nothing lost, doubled or out of order, no " +
		"HTTP error or failed connection, and the RSS at the end within 5 % of the RSS at the end of --warmup " +
		"(default 1m). With auth on, the token needs rowdata and alarms \"meter/*\" (or \"*\") and \"ack\": true, " +
		"the ingest key rowdata and alarm for \"meter/*\". It exits non-zero on FAIL.",
	Examples: "pulse bench --subs 1000 --rate 100,500,1000 --duration 10s\n" +
		"pulse bench --addr 10.0.0.1:8000,10.0.0.2:8000 --subs 10000 --keys 1000 --rate 5000 --json\n" +
		"pulse bench --idle --subs 15000 --duration 30s --pid $(pidof pulse)\n" +
		"pulse bench --ingest alarm --posters 64 --batch 100 --duration 10s --pid $(pidof pulse)\n" +
		"pulse bench --soak --duration 10m --pid $(pidof pulse)\n" +
		"PULSE_BENCH_TOKEN=$(pulse token --sub bench --rowdata '*') PULSE_BENCH_INGEST_KEY=... pulse bench --subs 1000",
	Strict:    true,
	Arguments: benchArguments,
	Func:      runBench,
}

// benchArguments are the options of `pulse bench`; Default is what an absent option means.
var benchArguments = []gcmd.Argument{
	{Name: "addr", Default: "127.0.0.1:8000", Brief: "server addresses host:port, comma-separated; subscribers and publishes go round-robin"},
	{Name: "subs", Default: "1000", Brief: "subscriber connections"},
	{Name: "keys", Default: "1", Brief: "keys the subscribers are spread over (subscriber i follows key i%keys)"},
	{Name: "rate", Default: "1000", Brief: "publishes per second; a comma-separated list runs one step per rate"},
	{Name: "duration", Default: "10s", Brief: "length of each step (idle mode: how long to hold the connections)"},
	{Name: "payload", Default: "64", Brief: "bytes of each item's data"},
	{Name: "batch", Default: "0", Brief: "items per POST (0: enough that POSTs stay at or below about 2,000/s)"},
	{Name: "conns-parallel", Default: "64", Brief: "concurrent WebSocket handshakes while connecting"},
	{Name: "slo", Default: "250ms", Brief: "a step is ok when nothing is lost or duplicated and p99 is below this"},
	{Name: "stop", Orphan: true, Brief: "stop after the first step that is not ok"},
	{Name: "idle", Orphan: true, Brief: "only open and hold idle subscribers; publish nothing"},
	{Name: "pid", Default: "0", Brief: "the server process (same machine): idle mode reports its RSS growth per connection, a publishing run its CPU time per item, with and without its idle CPU (read for 3 s, a second after the subscribers are registered, before the first step)"},
	{Name: "read-interval", Default: "5ms", Brief: "a busy subscriber reads at most once per interval, so that one read takes many frames " +
		"(saves the tool's CPU, adds up to this much latency; 0: read as soon as data arrives)"},
	{Name: "token", Brief: "a JWT the subscribers send as Authorization: Bearer (default $PULSE_BENCH_TOKEN); their userName is its sub"},
	{Name: "ingest-key", Brief: "an ingest key the publisher sends as Authorization: Bearer (default $PULSE_BENCH_INGEST_KEY)"},
	{Name: "ingest", Brief: "rowdata or alarm: no subscribers, a closed loop of --posters posting --batch items each (see the description)"},
	{Name: "posters", Default: "64", Brief: "ingest mode: concurrent posters, each with one request in flight"},
	{Name: "warmup", Default: "1s", Brief: "ingest mode: posting before the measured --duration, not counted; soak (default 1m): the RSS at its end is the drift's reference"},
	{Name: "alarm-ids", Default: "10000", Brief: "ingest mode, alarms, and soak (default 2000): how many distinct alarmIds of its own the run draws from"},
	{Name: "soak", Orphan: true, Brief: "a steady mix of dashboards, churn, alarms, acks and resuming consoles for --duration (default 10m), judged at the end (see the description)"},
	{Name: "dashboards", Default: "2000", Brief: "soak: row-data connections held all along"},
	{Name: "businesses", Default: "200", Brief: "soak: meter businesses the dashboards and alarms are spread over"},
	{Name: "rowrate", Default: "200", Brief: "soak: row-data items per second, each numbered per business"},
	{Name: "churn", Default: "50", Brief: "soak: connections per second opened and closed (half dashboards, half consoles)"},
	{Name: "alarmrate", Default: "50", Brief: "soak: alarms per second"},
	{Name: "consoles", Default: "20", Brief: "soak: alarm consoles held all along, each resuming with since every 30 s"},
	{Name: "json", Orphan: true, Brief: "print each result as one line of JSON"},
	{Name: "cpuprofile", Brief: "write the tool's own CPU profile to this file (to check that the tool is not the limit)"},
}

func init() {
	if err := Main.AddCommand(&Bench); err != nil {
		panic(err)
	}
}

func runBench(ctx context.Context, p *gcmd.Parser) error {
	cfg, asJSON, err := benchConfig(p)
	if err != nil {
		return err
	}
	var ingest *loadgen.IngestConfig
	if p.GetOpt("ingest") != nil {
		ic, err := ingestConfig(p, cfg)
		if err != nil {
			return err
		}
		ingest = &ic
	}
	if path := p.GetOpt("cpuprofile").String(); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("pulse bench: --cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("pulse bench: --cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if p.GetOpt("soak") != nil {
		return runSoak(ctx, p, cfg, asJSON)
	}
	if ingest != nil {
		r, err := loadgen.RunIngest(ctx, *ingest, os.Stderr)
		if err != nil {
			return fmt.Errorf("pulse bench: %w", err)
		}
		if asJSON {
			return r.WriteJSON(os.Stdout)
		}
		r.WriteText(os.Stdout)
		return nil
	}
	_, err = loadgen.Run(ctx, cfg, os.Stderr, func(r loadgen.Result) {
		switch {
		case asJSON:
			_ = r.WriteJSON(os.Stdout)
		case r.Step == 1:
			loadgen.WriteTextHeader(os.Stdout, cfg)
			fallthrough
		default:
			r.WriteText(os.Stdout)
		}
	})
	if err != nil {
		return fmt.Errorf("pulse bench: %w", err)
	}
	return nil
}

// benchConfig reads the options of `pulse bench`.
func benchConfig(p *gcmd.Parser) (loadgen.Config, bool, error) {
	opt := func(name string) string {
		for _, a := range benchArguments {
			if a.Name == name {
				return strings.TrimSpace(p.GetOpt(name, a.Default).String())
			}
		}
		return ""
	}
	has := func(name string) bool { return p.GetOpt(name) != nil }
	var (
		cfg  loadgen.Config
		errs []string
	)
	integer := func(name string) int {
		v, err := strconv.Atoi(opt(name))
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s: want a whole number, got %q", name, opt(name)))
		}
		return v
	}
	duration := func(name string) time.Duration {
		v, err := time.ParseDuration(opt(name))
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s: want a duration such as 10s, got %q", name, opt(name)))
		}
		return v
	}
	for _, a := range strings.Split(opt("addr"), ",") {
		a = strings.TrimSpace(a)
		if i := strings.Index(a, "://"); i >= 0 {
			a = a[i+3:]
		}
		if a = strings.TrimRight(a, "/"); a != "" {
			cfg.Addrs = append(cfg.Addrs, a)
		}
	}
	cfg.Subs, cfg.Keys = integer("subs"), integer("keys")
	cfg.Payload, cfg.Batch = integer("payload"), integer("batch")
	cfg.DialParallel, cfg.PID = integer("conns-parallel"), integer("pid")
	cfg.Duration, cfg.SLO = duration("duration"), duration("slo")
	if cfg.ReadInterval = duration("read-interval"); cfg.ReadInterval == 0 {
		cfg.ReadInterval = -1 // the engine's "no limit"
	}
	cfg.Idle, cfg.StopOnFail = has("idle"), has("stop")
	cfg.Token = strings.TrimSpace(p.GetOpt("token", os.Getenv("PULSE_BENCH_TOKEN")).String())
	cfg.IngestKey = strings.TrimSpace(p.GetOpt("ingest-key", os.Getenv("PULSE_BENCH_INGEST_KEY")).String())
	if !cfg.Idle {
		for _, r := range strings.Split(opt("rate"), ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
			if err != nil {
				errs = append(errs, fmt.Sprintf("--rate: want numbers such as 100,200, got %q", r))
			}
			cfg.Rates = append(cfg.Rates, v)
		}
	}
	if len(errs) > 0 {
		return cfg, false, fmt.Errorf("pulse bench: %s", strings.Join(errs, "; "))
	}
	return cfg, has("json"), nil
}

// ingestConfig reads the options of `pulse bench --ingest`; cfg holds those shared with the
// subscriber modes. --keys is 100 unless given.
func ingestConfig(p *gcmd.Parser, cfg loadgen.Config) (loadgen.IngestConfig, error) {
	ic := loadgen.IngestConfig{
		Addrs: cfg.Addrs, Kind: strings.TrimSpace(p.GetOpt("ingest").String()), Batch: max(cfg.Batch, 1),
		Duration: cfg.Duration, Payload: cfg.Payload, PID: cfg.PID, IngestKey: cfg.IngestKey,
	}
	if p.GetOpt("keys") != nil {
		ic.Keys = cfg.Keys
	}
	var errs []string
	for _, o := range []struct {
		name string
		to   *int
	}{{"posters", &ic.Posters}, {"alarm-ids", &ic.AlarmIDs}} {
		v, err := strconv.Atoi(strings.TrimSpace(p.GetOpt(o.name, "0").String()))
		if err != nil || v < 0 {
			errs = append(errs, fmt.Sprintf("--%s: want a positive whole number, got %q", o.name, p.GetOpt(o.name).String()))
		}
		*o.to = v
	}
	if o := p.GetOpt("posters"); o != nil && strings.TrimSpace(o.String()) == "0" {
		errs = append(errs, "--posters: must be positive")
	}
	ic.Warmup = loadgen.DefaultWarmup
	if w := p.GetOpt("warmup"); w != nil {
		d, err := time.ParseDuration(strings.TrimSpace(w.String()))
		if err != nil || d < 0 {
			errs = append(errs, fmt.Sprintf("--warmup: want a duration such as 1s, got %q", w.String()))
		}
		ic.Warmup = d
	}
	if len(errs) > 0 {
		return ic, fmt.Errorf("pulse bench: %s", strings.Join(errs, "; "))
	}
	return ic, nil
}

// runSoak is `pulse bench --soak`: the table (or JSON lines) on stdout, progress on stderr, and an
// error, so a non-zero exit, when the soak fails.
func runSoak(ctx context.Context, p *gcmd.Parser, cfg loadgen.Config, asJSON bool) error {
	sc, err := soakConfig(p, cfg)
	if err != nil {
		return err
	}
	r, err := loadgen.RunSoak(ctx, sc, os.Stderr, func(s loadgen.SoakSample) {
		switch {
		case asJSON:
			_ = s.WriteJSON(os.Stdout)
		case s.ElapsedS == 0: // the first line, before the load
			loadgen.WriteSoakHeader(os.Stdout, sc)
			fallthrough
		default:
			s.WriteText(os.Stdout)
		}
	})
	if judged := r.Pass || len(r.Failures) > 0; err != nil && !judged { // it could not start
		return fmt.Errorf("pulse bench: %w", err)
	}
	if asJSON {
		_ = r.WriteJSON(os.Stdout)
	} else {
		r.WriteText(os.Stdout)
	}
	if err != nil {
		return fmt.Errorf("pulse bench: %w", err)
	}
	if !r.Pass {
		return errors.New("pulse bench: the soak failed")
	}
	return nil
}

// soakConfig reads the options of `pulse bench --soak`; cfg holds those shared with the other
// modes. --duration, --warmup and --alarm-ids have the soak's own defaults unless given.
func soakConfig(p *gcmd.Parser, cfg loadgen.Config) (loadgen.SoakConfig, error) {
	sc := loadgen.SoakConfig{Addrs: cfg.Addrs, PID: cfg.PID, Token: cfg.Token, IngestKey: cfg.IngestKey}
	if p.GetOpt("duration") != nil {
		sc.Duration = cfg.Duration
	}
	var errs []string
	sc.Warmup = loadgen.DefaultSoakWarmup
	if w := p.GetOpt("warmup"); w != nil {
		d, err := time.ParseDuration(strings.TrimSpace(w.String()))
		if err != nil || d < 0 {
			errs = append(errs, fmt.Sprintf("--warmup: want a duration such as 1m, got %q", w.String()))
		}
		sc.Warmup = d
	}
	for _, o := range []struct {
		name string
		to   *int
	}{{"dashboards", &sc.Dashboards}, {"businesses", &sc.Businesses}, {"alarm-ids", &sc.AlarmIDs}, {"consoles", &sc.Consoles}} {
		if v := p.GetOpt(o.name); v != nil {
			n, err := strconv.Atoi(strings.TrimSpace(v.String()))
			if err != nil || n <= 0 {
				errs = append(errs, fmt.Sprintf("--%s: want a positive whole number, got %q", o.name, v.String()))
			}
			*o.to = n
		}
	}
	for _, o := range []struct {
		name string
		to   *float64
	}{{"rowrate", &sc.RowRate}, {"churn", &sc.Churn}, {"alarmrate", &sc.AlarmRate}} {
		if v := p.GetOpt(o.name); v != nil {
			f, err := strconv.ParseFloat(strings.TrimSpace(v.String()), 64)
			if err != nil || f <= 0 {
				errs = append(errs, fmt.Sprintf("--%s: want a positive number, got %q", o.name, v.String()))
			}
			*o.to = f
		}
	}
	if len(errs) > 0 {
		return sc, fmt.Errorf("pulse bench: %s", strings.Join(errs, "; "))
	}
	return sc, nil
}
