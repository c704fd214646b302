// Package business handles /api/v1/businesses: the businesses whose row data the server holds.
package business

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/business/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/hub"
)

// ControllerV1 handles /api/v1/businesses.
type ControllerV1 struct {
	rows *hub.Manager
}

// NewV1 returns the controller over the row-data manager, whose snapshots know the keys.
func NewV1(rows *hub.Manager) *ControllerV1 { return &ControllerV1{rows: rows} }

// List handles GET /api/v1/businesses: with auth on, only the businesses the token's rowdata
// patterns cover, and a token without any is refused as at a dashboard's door.
func (c *ControllerV1) List(ctx context.Context, req *v1.ListReq) (*v1.ListRes, error) {
	var scope []hub.Key // nil: everything
	if id, authed := auth.FromContext(ctx); authed {
		if len(id.RowData) == 0 {
			return nil, gerror.NewCode(consts.CodeForbidden, "your token grants no row data (its pulse claim has no rowdata patterns)")
		}
		for _, p := range id.RowData {
			scope = append(scope, hub.Key{Type: p.Type, ID: p.ID}) // "*" is Key{}, "T/*" (T, *), "T/I" itself
		}
	}
	recent := c.rows.Recent(req.Limit, scope)
	items := make([]v1.Business, len(recent))
	for i, r := range recent {
		items[i] = v1.Business{BusinessType: r.Type, BusinessId: r.ID, LastTime: r.LastMs}
	}
	return &v1.ListRes{Items: items}, nil
}
