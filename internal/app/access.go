package app

import (
	"context"
	"net/http"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/controller/health"
	"github.com/pulse-monitoring/pulse/internal/controller/ws"
	"github.com/pulse-monitoring/pulse/internal/metrics"
	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// access is identity and access when auth is on: the tokens of people at the WebSocket door and on
// the alarm API, the keys of ingest services on the ingest API.
type access struct {
	tokens *auth.Verifier
	door   *ws.Access
	api    *middleware.Credentials
}

// jwksStartWait bounds how long the start waits for the first JWKS fetch: long enough for a
// provider that answers to be fetched before the first token, short enough that one that does
// not answer delays nothing (the fetch goes on, and its failure is logged, meanwhile).
const jwksStartWait = 2 * time.Second

// newAccess builds the checks of auth; nil when auth is off. With a jwksUrl it fetches the JWKS
// once, so that a provider that cannot be reached is logged at the start.
func newAccess(cfg config.Auth) (*access, error) {
	if !cfg.Enabled {
		return nil, nil
	}
	tokens, err := auth.New(cfg.JWT)
	if err != nil {
		return nil, err
	}
	specs := make([]ingestkey.Spec, len(cfg.IngestKeys))
	for i, k := range cfg.IngestKeys {
		specs[i] = ingestkey.Spec(k)
	}
	keys, err := ingestkey.New(specs)
	if err != nil {
		return nil, err
	}
	a := &access{tokens: tokens, door: ws.NewAccess(tokens),
		api: &middleware.Credentials{Tokens: tokens, Keys: keys, Users: auth.NewUserRate(cfg.UserRate)}}
	if _, ok := tokens.JWKS(); ok {
		tokens.LogJWKSFailures(func(m string) { glog.Warning(context.Background(), m) })
		fetched := make(chan struct{})
		go func() { defer close(fetched); _ = tokens.FetchJWKS(context.Background()) }()
		select {
		case <-fetched:
		case <-time.After(jwksStartWait):
		}
	}
	return a, nil
}

// authenticate is the guard's credential check; nil with auth off.
func (a *access) authenticate() func(*http.Request, string) (*http.Request, error) {
	if a == nil {
		return nil
	}
	return a.api.Authenticate
}

// observe adds what auth has to report to /readyz and /metrics: the JWKS fetches, when there is
// a jwksUrl. A provider that cannot be reached does not make the node unready (tokens signed with
// keys already fetched still verify, and the rest of the node serves), so jwks is advisory.
func (a *access) observe(c *health.ControllerV1, m *metrics.Metrics) *health.ControllerV1 {
	if a == nil {
		return c
	}
	if _, ok := a.tokens.JWKS(); !ok {
		return c
	}
	m.WatchJWKS(func() (uint64, time.Time) { s, _ := a.tokens.JWKS(); return s.Failures, s.LastSuccess })
	return health.Advise(c, "jwks", a.jwksReady)
}

// jwksReady says whether the JWKS's last fetch succeeded, and if not, since when it fails and why.
func (a *access) jwksReady(context.Context) error {
	s, _ := a.tokens.JWKS()
	switch {
	case s.LastError != "":
		return gerror.NewCodef(consts.CodeUnavailable, "fetching the signing keys from %s fails since %s: %s",
			s.Host, s.FailingFor.UTC().Format(time.RFC3339), s.LastError)
	case s.LastSuccess.IsZero():
		return gerror.NewCodef(consts.CodeUnavailable, "the signing keys from %s are not fetched yet", s.Host)
	}
	return nil
}
