// Package health answers the liveness probe.
package health

import (
	"context"

	v1 "pulse/api/health/v1"
	"pulse/internal/hub"
)

// ControllerV1 handles /healthz.
type ControllerV1 struct {
	managers []*hub.Manager
}

// NewV1 returns the controller reporting on managers.
func NewV1(managers ...*hub.Manager) *ControllerV1 { return &ControllerV1{managers: managers} }

// Healthz answers 200 while the process serves.
func (c *ControllerV1) Healthz(_ context.Context, _ *v1.HealthzReq) (*v1.HealthzRes, error) {
	res := &v1.HealthzRes{Status: "ok", Connections: map[string]int{}}
	for _, m := range c.managers {
		res.Connections[m.Name()] = m.Len()
	}
	return res, nil
}
