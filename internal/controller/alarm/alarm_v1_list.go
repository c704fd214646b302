package alarm

import (
	"context"

	v1 "pulse/api/alarm/v1"
	"pulse/internal/auth"
)

// List handles GET /api/v1/alarms: with auth on, only the alarms of the token's alarms patterns.
func (c *ControllerV1) List(ctx context.Context, req *v1.ListReq) (*v1.ListRes, error) {
	items, err := c.svc.List(ctx, req.Status, req.Limit, scopeOf(auth.FromContext(ctx)))
	if err != nil {
		return nil, err
	}
	return &v1.ListRes{Items: items}, nil
}
