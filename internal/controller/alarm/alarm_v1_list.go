package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "pulse/api/alarm/v1"
	"pulse/internal/auth"
	"pulse/internal/consts"
)

// List handles GET /api/v1/alarms: with auth on, only the alarms of the token's alarms patterns,
// and a token without any is refused as at the console's door.
func (c *ControllerV1) List(ctx context.Context, req *v1.ListReq) (*v1.ListRes, error) {
	id, authed := auth.FromContext(ctx)
	if authed && len(id.Alarms) == 0 {
		return nil, gerror.NewCode(consts.CodeForbidden, "your token grants no alarms (its pulse claim has no alarms patterns)")
	}
	items, err := c.svc.List(ctx, req.Status, req.Limit, scopeOf(id, authed))
	if err != nil {
		return nil, err
	}
	return &v1.ListRes{Items: items}, nil
}
