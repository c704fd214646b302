// Package rowdata handles /api/v1/rowdata: the row data a node keeps for charts.
package rowdata

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/rowdata/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// maxSeries is how many ids a history of a whole type answers at most: a chart draws no more.
const maxSeries = 1000

// ControllerV1 handles /api/v1/rowdata.
type ControllerV1 struct {
	rows  *hub.Manager
	units map[string]string
}

// NewV1 returns the controller over the row-data manager, whose snapshots keep the history, and
// the units of rowdata.units.
func NewV1(rows *hub.Manager, units map[string]string) *ControllerV1 {
	own := maps.Clone(units)
	if own == nil {
		own = map[string]string{}
	}
	return &ControllerV1{rows: rows, units: own}
}

// History handles GET /api/v1/rowdata/history: with auth on, the token's rowdata patterns must
// cover what is asked for, as at a dashboard's door.
func (c *ControllerV1) History(ctx context.Context, req *v1.HistoryReq) (*v1.HistoryRes, error) {
	key, err := historyKey(req)
	if err != nil {
		return nil, err
	}
	if id, authed := auth.FromContext(ctx); authed && !model.AnyCovers(id.RowData, key.Type, key.ID) {
		return nil, gerror.NewCodef(consts.CodeForbidden, "your token's rowdata patterns do not cover %s/%s", key.Type, key.ID)
	}
	kept := c.rows.History(key, req.Since, maxSeries)
	series := make([]v1.Series, len(kept))
	for i, s := range kept {
		items := make([]json.RawMessage, len(s.Items))
		for j, item := range s.Items {
			items[j] = item
		}
		series[i] = v1.Series{BusinessType: s.Type, BusinessId: s.ID, Items: items}
	}
	if len(kept) == 0 && key.ID != model.Wildcard { // a manager that keeps nothing: still one series
		series = []v1.Series{{BusinessType: key.Type, BusinessId: key.ID, Items: []json.RawMessage{}}}
	}
	return &v1.HistoryRes{Series: series, Units: c.units}, nil
}

// historyKey is the business asked for, its names checked as a dashboard's path's are.
func historyKey(req *v1.HistoryReq) (hub.Key, error) {
	for _, name := range []struct{ field, value string }{{"businessType", req.BusinessType}, {"businessId", req.BusinessId}} {
		if err := model.CheckName(name.value); err != nil {
			return hub.Key{}, gerror.NewCodef(consts.CodeInvalidInput, "%s: %v", name.field, err)
		}
	}
	if req.BusinessType == model.Wildcard {
		return hub.Key{}, gerror.NewCode(consts.CodeInvalidInput, `businessType: "*" is not a type; use a real type, and businessId "*" for every id of it`)
	}
	return hub.Key{Type: req.BusinessType, ID: req.BusinessId}, nil
}
