package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// SoakConfig is a soak: a steady mix of row data, churning connections, alarms, acknowledgements
// and resuming consoles against one running server for Duration, sampled every Interval, and
// judged at the end: nothing lost, doubled or out of order, no HTTP error, and (with PID) the
// server's RSS at the end within MaxRSSDrift of its RSS at the end of Warmup.
type SoakConfig struct {
	Addrs       []string      // server addresses (host:port): sockets go round-robin; posts, acks and /metrics go to the first
	Duration    time.Duration // how long the load runs
	Warmup      time.Duration // the RSS at its end is the drift's reference
	Interval    time.Duration // a sample line every Interval
	Dashboards  int           // row-data connections held all along, dashboard i following business i%Businesses
	Businesses  int           // meter businesses of this run
	RowRate     float64       // row-data items per second, round-robin over the businesses
	Churn       float64       // connections per second opened and closed: half dashboards, half consoles resuming
	AlarmRate   float64       // alarms per second
	AlarmIDs    int           // alarm ids the alarms are drawn from (most posts repeat an alarm)
	Consoles    int           // alarm consoles held all along, each closing and resuming every Resume
	Resume      time.Duration // how often a console closes and resumes with since
	MaxRSSDrift float64       // the largest RSS growth after warm-up that passes (0.05: 5 %)
	Settle      time.Duration // at the end, how long to wait for deliveries still on their way
	PID         int           // the server's process (same machine; 0: no RSS or descriptors)
	Token       string        // a JWT for the sockets and the acknowledgements (Authorization: Bearer)
	IngestKey   string        // an ingest key for the posts of row data and alarms
}

// Defaults of SoakConfig, the mix of issue 23.
const (
	DefaultSoakDuration = 10 * time.Minute
	DefaultSoakWarmup   = time.Minute
	DefaultSoakInterval = 10 * time.Second
	DefaultDashboards   = 2000
	DefaultBusinesses   = 200
	DefaultRowRate      = 200
	DefaultChurn        = 50
	DefaultAlarmRate    = 50
	DefaultSoakAlarmIDs = 2000
	DefaultConsoles     = 20
	DefaultResume       = 30 * time.Second
	DefaultMaxRSSDrift  = 0.05
	DefaultSettle       = 30 * time.Second
	soakBusinessType    = "meter"
	soakTick            = 100 * time.Millisecond // posts go out every tick, with what is due
	churnTimeout        = 10 * time.Second       // a churning connection's wait for its snapshot or synced
	churnInFlight       = 256                    // churning connections open at once, at most
)

func (c SoakConfig) withDefaults() SoakConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dashboards, DefaultDashboards)
	def(&c.Businesses, DefaultBusinesses)
	def(&c.AlarmIDs, DefaultSoakAlarmIDs)
	def(&c.Consoles, DefaultConsoles)
	for _, d := range []struct {
		v *time.Duration
		d time.Duration
	}{{&c.Duration, DefaultSoakDuration}, {&c.Interval, DefaultSoakInterval}, {&c.Resume, DefaultResume}, {&c.Settle, DefaultSettle}} {
		if *d.v == 0 {
			*d.v = d.d
		}
	}
	for _, f := range []struct {
		v *float64
		d float64
	}{{&c.RowRate, DefaultRowRate}, {&c.Churn, DefaultChurn},
		{&c.AlarmRate, DefaultAlarmRate}, {&c.MaxRSSDrift, DefaultMaxRSSDrift}} {
		if *f.v == 0 {
			*f.v = f.d
		}
	}
	return c
}

func (c SoakConfig) check() error {
	switch {
	case len(c.Addrs) == 0:
		return errors.New("--addr: give the server's address, such as 127.0.0.1:8000")
	case c.Duration < 0 || c.Warmup < 0 || c.Interval < 0 || c.Resume < 0:
		return errors.New("--duration, --warmup: must not be negative")
	case c.Dashboards < c.Businesses || c.Businesses < 0:
		return fmt.Errorf("--dashboards (%d) must be at least --businesses (%d): every business has a dashboard", c.Dashboards, c.Businesses)
	case c.RowRate < 0 || c.Churn < 0 || c.AlarmRate < 0 || c.AlarmIDs < 0 || c.Consoles < 0:
		return errors.New("--rowrate, --churn, --alarmrate, --alarm-ids, --consoles: must not be negative")
	}
	if c.Token != "" {
		if _, err := tokenSubject(c.Token); err != nil {
			return err
		}
	}
	return checkIngestKey(c.IngestKey)
}

// soakCounters is what every part of a soak counts together.
type soakCounters struct {
	rowDeliveries   atomic.Int64 // new row-data items the dashboards received
	alarmDeliveries atomic.Int64 // new alarm events the consoles received (history and live)
	lost            atomic.Int64 // numbers missing from a stream (gaps not filled)
	duplicated      atomic.Int64
	outOfOrder      atomic.Int64
	misrouted       atomic.Int64 // items of another business, or that the tool could not read
	httpErrors      atomic.Int64 // posts, acks and clears not answered 200 with code 0
	connErrors      atomic.Int64 // sockets that could not open, were dropped, timed out or got a reset
	churned         atomic.Int64
	resumes         atomic.Int64
	rows            atomic.Int64 // row-data items accepted
	alarms          atomic.Int64 // alarms accepted
	acks, clears    atomic.Int64

	errOnce  sync.Once
	firstErr atomic.Pointer[string]
}

// fail counts one failure in n and keeps the first reason.
func (t *soakCounters) fail(n *atomic.Int64, reason string) {
	n.Add(1)
	t.errOnce.Do(func() { t.firstErr.Store(&reason) })
}

// soak is one run: its configuration, counters and the streams being checked.
type soak struct {
	cfg    SoakConfig
	tag    string // makes this run's business and alarm ids its own
	user   string // every socket's userName with a token: its sub
	count  soakCounters
	client *http.Client
	dialer *net.Dialer
	lat    Histogram // row data: publish to delivery
	dials  atomic.Int64

	businesses []string       // ids of the run's businesses
	rowSent    []atomic.Int64 // per business: items accepted (their numbers are 0 to n-1)
	lastSeq    atomic.Int64   // the highest alarm seq a receipt gave
	stopping   atomic.Bool    // the load is over: sockets closing now are not failures
}

// RunSoak runs cfg against the server, calling each, when not nil, with a sample at the start,
// every Interval and at the end of the load, then settles and returns the verdict. status, when
// not nil, receives a progress line every second. It returns an error only when the soak cannot
// start (bad settings, a server that does not answer); what fails during the run is in the result.
func RunSoak(ctx context.Context, cfg SoakConfig, status io.Writer, each func(SoakSample)) (SoakResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return SoakResult{}, err
	}
	if err := EnsureFileLimit(cfg.Dashboards + cfg.Consoles + churnInFlight); err != nil {
		return SoakResult{}, err
	}
	s := &soak{
		cfg: cfg, tag: strconv.FormatUint(rand.Uint64()%(36*36*36*36*36*36), 36),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Minute, DisableCompression: true}},
		dialer:  &net.Dialer{KeepAlive: -1},
		rowSent: make([]atomic.Int64, cfg.Businesses),
	}
	defer s.client.CloseIdleConnections()
	if cfg.Token != "" {
		s.user, _ = tokenSubject(cfg.Token)
	}
	for i := range cfg.Businesses {
		s.businesses = append(s.businesses, "soak-"+s.tag+"-"+strconv.Itoa(i))
	}
	prog := newProgress(status)
	defer prog.close()
	res := SoakResult{Mode: "soak", Config: cfg, DurationS: cfg.Duration.Seconds(), WarmupS: cfg.Warmup.Seconds()}
	emit := func(sm SoakSample) {
		res.Samples = append(res.Samples, sm)
		prog.clear()
		if each != nil {
			each(sm)
		}
	}

	idle, err := s.sample(ctx, time.Now())
	if err != nil {
		return res, err
	}
	idle.ElapsedS = 0 // before the load: its line is the idle server's
	emit(idle)

	prog.show(func() string {
		return fmt.Sprintf("opening %d dashboards and %d consoles", cfg.Dashboards, cfg.Consoles)
	})
	dash, err := s.openDashboards(ctx)
	if err != nil {
		return res, err
	}
	cons := s.startConsoles(ctx)

	load, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, f := range []func(context.Context){s.postRows, s.postAlarms, s.churn} {
		wg.Add(1)
		go func() { defer wg.Done(); f(load) }()
	}
	begin := time.Now()
	end := begin.Add(cfg.Duration)
	prog.show(func() string {
		return fmt.Sprintf("soak: %.0fs of %v, %d row and %d alarm deliveries, lost %d, HTTP errors %d",
			time.Since(begin).Seconds(), cfg.Duration, s.count.rowDeliveries.Load(), s.count.alarmDeliveries.Load(),
			s.count.lost.Load(), s.count.httpErrors.Load())
	})
	warmed := cfg.Warmup >= cfg.Duration
	for k := 1; ; k++ {
		at := begin.Add(time.Duration(k) * cfg.Interval)
		if !at.Before(end) {
			break
		}
		if sleep(ctx, time.Until(at)) != nil {
			break
		}
		sm, _ := s.sample(ctx, begin)
		if !warmed && at.Sub(begin) >= cfg.Warmup {
			warmed, res.WarmRSSKB, res.Warmed = true, sm.RSSKB, true
		}
		emit(sm)
	}
	_ = sleep(ctx, time.Until(end))
	last, _ := s.sample(ctx, begin)
	emit(last)
	res.EndRSSKB = last.RSSKB
	stopLoad()
	wg.Wait()

	prog.show(func() string { return "waiting for the last deliveries" })
	s.settle(ctx, dash, cons)
	s.stopping.Store(true)
	cons.stop()
	dash.close()
	s.finish(&res, dash, cons)
	return res, ctx.Err()
}

// settle waits, up to cfg.Settle, until every dashboard has its business's last item and every
// console the last alarm event, then counts what is still missing as lost.
func (s *soak) settle(ctx context.Context, dash *dashboards, cons *consoles) {
	final, err := s.finalSeq(ctx)
	if err != nil {
		s.count.fail(&s.count.connErrors, "reading the last alarm seq at the end: "+err.Error())
		final = -1
	}
	caughtUp := func() bool {
		for _, d := range dash.list {
			if d.check.last.Load() < s.rowSent[d.business].Load()-1 {
				return false
			}
		}
		for _, c := range cons.list {
			if final >= 0 && c.check.last.Load() < final {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(s.cfg.Settle); !caughtUp() && time.Now().Before(deadline) && ctx.Err() == nil; {
		_ = sleep(ctx, 20*time.Millisecond)
	}
	dash.final = func(d *dashboard) int64 { return s.rowSent[d.business].Load() - 1 }
	cons.final = final
}

// finish stops counting and fills in the verdict.
func (s *soak) finish(res *SoakResult, dash *dashboards, cons *consoles) {
	for _, d := range dash.list {
		d.check.upTo(dash.final(d), &s.count)
	}
	for _, c := range cons.list {
		if cons.final >= 0 {
			c.check.upTo(cons.final, &s.count)
		}
	}
	t := &s.count
	res.Counts = s.counts()
	res.P99Ms, res.MaxMs = ms(s.lat.Quantile(0.99)), ms(s.lat.Max())
	if p := t.firstErr.Load(); p != nil {
		res.Error = *p
	}
	for _, sm := range res.Samples {
		res.MaxRSSKB = max(res.MaxRSSKB, sm.RSSKB)
	}
	if res.Warmed && res.WarmRSSKB > 0 && res.EndRSSKB > 0 {
		res.RSSDrift = float64(res.EndRSSKB-res.WarmRSSKB) / float64(res.WarmRSSKB)
	}
	res.Failures = s.verdict(res)
	res.Pass = len(res.Failures) == 0
}

// counts is the counters now.
func (s *soak) counts() SoakCounts {
	t := &s.count
	return SoakCounts{
		RowDeliveries: t.rowDeliveries.Load(), AlarmDeliveries: t.alarmDeliveries.Load(), Lost: t.lost.Load(),
		Duplicated: t.duplicated.Load(), OutOfOrder: t.outOfOrder.Load(), Misrouted: t.misrouted.Load(),
		HTTPErrors: t.httpErrors.Load(), ConnErrors: t.connErrors.Load(), Churned: t.churned.Load(),
		Resumes: t.resumes.Load(), Rows: t.rows.Load(), Alarms: t.alarms.Load(), Acks: t.acks.Load(), Clears: t.clears.Load(),
	}
}

// verdict is why the run fails: nothing when it passes.
func (s *soak) verdict(res *SoakResult) []string { return soakVerdict(res.Counts, res, s.cfg) }
