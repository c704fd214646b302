// Package notice holds the HTTP handler of the notice API: a message to one user.
package notice

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/notice/v1"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

// ControllerV1 handles /api/v1/users/{user}/notices.
type ControllerV1 struct {
	svc *ingest.Service
}

// NewV1 returns the controller over svc.
func NewV1(svc *ingest.Service) *ControllerV1 { return &ControllerV1{svc: svc} }

// Send handles POST /api/v1/users/{user}/notices.
func (c *ControllerV1) Send(ctx context.Context, req *v1.SendReq) (*v1.SendRes, error) {
	if err := c.svc.SendToUserJSON(ctx, req.User, middleware.Body(ctx)); err != nil {
		return nil, err
	}
	return &v1.SendRes{}, nil
}
