package app

import (
	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	natssource "github.com/pulse-monitoring/pulse/internal/source/nats"
)

// newNATS builds the source of ingest.nats over its broker core (named "nats": its /readyz check
// and metrics label), not started.
func (a *App) newNATS(n config.NATS, maxPayload int64) (brokerin.Runner, error) {
	core, err := a.brokerCore("nats", n.Businesses, maxPayload)
	if err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "config ingest.nats.businesses: %v", err)
	}
	src, err := natssource.New(natssource.Options{
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
	if err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "config ingest.nats: %v", err)
	}
	return src, nil
}
