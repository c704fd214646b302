package app

import (
	"context"
	"time"

	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/controller/health"
	"github.com/pulse-monitoring/pulse/internal/metrics"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	natssource "github.com/pulse-monitoring/pulse/internal/source/nats"
)

// newNATSSource builds ingest.nats's source over the broker core, which publishes through the
// ingest service as HTTP does; nil when its url is empty. It is not started.
func newNATSSource(cfg config.Config, in *ingest.Service) (brokerin.Runner, error) {
	n := cfg.Ingest.NATS
	if n.URL == "" {
		return nil, nil
	}
	ctx := context.Background()
	core, err := brokerin.New(brokerin.Options{
		Name:       "nats",
		Businesses: n.Businesses,
		MaxPayload: cfg.Ingest.MaxBodySize,
		Ingest:     in,
		Log:        func(format string, args ...any) { glog.Warningf(ctx, "ingest."+format, args...) },
	})
	if err != nil {
		return nil, err
	}
	return natssource.New(natssource.Options{
		URL:        n.URL,
		Stream:     n.Stream,
		Durable:    n.Durable,
		DeadLetter: n.DeadLetter,
		Subjects:   map[brokerin.Kind]string{brokerin.RowData: n.Subjects.RowData, brokerin.Alarm: n.Subjects.Alarm},
		Name:       "pulse " + n.Durable,
		Auth: natssource.Auth{Username: n.Username, Password: n.Password, Token: n.Token, CredsFile: n.CredsFile,
			CAFile: n.TLS.CAFile, CertFile: n.TLS.CertFile, KeyFile: n.TLS.KeyFile},
		AckWait:       n.AckWait,
		MaxAckPending: n.MaxAckPending,
	}, core)
}

// observeNATS shows the source in /readyz's checks ("nats": whether both consumers consume)
// without failing readiness (the node serves dashboards, consoles and HTTP ingest without it),
// and its counters in /metrics.
func observeNATS(src brokerin.Runner, c *health.ControllerV1, m *metrics.Metrics) *health.ControllerV1 {
	if src == nil {
		return c
	}
	m.WatchBrokers(func() []brokerin.Snapshot { return []brokerin.Snapshot{src.Stats().Snapshot()} })
	return health.Advise(c, src.Name(), src.Stats().Ready)
}

// startNATS logs the source and its subjects, and starts it.
func startNATS(src brokerin.Runner) error {
	if src == nil {
		return nil
	}
	glog.Infof(context.Background(), "ingest.nats: %s", src.Describe())
	return src.Start(context.Background())
}

// stopNATS drains the source: the messages it holds are handled and acknowledged, up to
// natsStopTimeout.
func stopNATS(ctx context.Context, src brokerin.Runner) {
	if src == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, natsStopTimeout)
	defer cancel()
	_ = src.Stop(ctx)
}

// natsStopTimeout bounds the drain at shutdown: what is not handled by then is redelivered to
// another node after ackWait.
const natsStopTimeout = 2 * time.Second
