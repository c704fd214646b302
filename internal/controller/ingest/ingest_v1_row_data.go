package ingest

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/ingest/v1"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

// RowData handles POST /api/v1/rowdata.
func (c *ControllerV1) RowData(ctx context.Context, _ *v1.RowDataReq) (*v1.RowDataRes, error) {
	key, err := retryKey(ctx)
	if err != nil {
		return nil, err
	}
	items, batch, err := ingest.Decode[model.BusinessData](middleware.Body(ctx))
	if err != nil {
		return nil, err
	}
	if key == nil {
		err = c.svc.PublishRowData(ctx, items, batch)
	} else {
		var replayed bool
		if replayed, err = c.svc.PublishRowDataOnce(ctx, *key, items, batch); replayed {
			markReplayed(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	return &v1.RowDataRes{Accepted: len(items)}, nil
}
