// Package health answers the liveness and readiness probes.
package health

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/health/v1"
	"github.com/pulse-monitoring/pulse/internal/buildinfo"
	"github.com/pulse-monitoring/pulse/internal/hub"
)

// Check reports why a dependency cannot serve now, or nil.
type Check func(ctx context.Context) error

// ControllerV1 handles /healthz and /readyz.
type ControllerV1 struct {
	checks   map[string]Check
	advisory map[string]Check // shown in /readyz's checks, never failing readiness
	managers []*hub.Manager
	build    buildinfo.Info
}

// NewV1 returns the controller: readiness runs checks, liveness reports on managers.
func NewV1(checks map[string]Check, managers ...*hub.Manager) *ControllerV1 {
	return &ControllerV1{checks: checks, managers: managers, build: buildinfo.Current()}
}

// Healthz answers 200 while the process serves, whatever its dependencies do: a node whose
// Redis or database is down keeps its clients and must not be restarted for it.
func (c *ControllerV1) Healthz(_ context.Context, _ *v1.HealthzReq) (*v1.HealthzRes, error) {
	res := &v1.HealthzRes{Status: "ok", Connections: map[string]int{}, Version: c.build.Version, Commit: c.build.Commit}
	for _, m := range c.managers {
		res.Connections[m.Name()] = m.Len()
	}
	return res, nil
}

// Advise adds to c a check that /readyz shows among its checks without failing readiness: a
// dependency whose failure the operator must see but that does not stop the node from serving
// (the identity provider's JWKS, while the keys already fetched verify). It returns c. (A function,
// not a method: GoFrame binds every exported method of a controller as a handler.)
func Advise(c *ControllerV1, name string, check Check) *ControllerV1 {
	if c.advisory == nil {
		c.advisory = map[string]Check{}
	}
	c.advisory[name] = check
	return c
}
