// Package notice holds the HTTP handler of the notice API: a message to one user.
package notice

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/notice/v1"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// ControllerV1 handles /api/v1/users/{user}/notices.
type ControllerV1 struct {
	svc *ingest.Service
}

// NewV1 returns the controller over svc.
func NewV1(svc *ingest.Service) *ControllerV1 { return &ControllerV1{svc: svc} }

// Send handles POST /api/v1/users/{user}/notices.
func (c *ControllerV1) Send(ctx context.Context, req *v1.SendReq) (*v1.SendRes, error) {
	var n model.Notice
	if err := strictjson.Unmarshal(middleware.Body(ctx), &n); err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "body: %v", err)
	}
	if err := c.svc.SendToUser(ctx, req.User, n); err != nil {
		return nil, err
	}
	return &v1.SendRes{}, nil
}
