package ingest

import (
	"context"

	v1 "pulse/api/ingest/v1"
	"pulse/internal/middleware"
	"pulse/internal/model"
	"pulse/internal/service/ingest"
)

// RowData handles POST /api/v1/rowdata.
func (c *ControllerV1) RowData(ctx context.Context, _ *v1.RowDataReq) (*v1.RowDataRes, error) {
	items, batch, err := ingest.Decode[model.BusinessData](middleware.Body(ctx))
	if err != nil {
		return nil, err
	}
	if err := c.svc.PublishRowData(ctx, items, batch); err != nil {
		return nil, err
	}
	return &v1.RowDataRes{Accepted: len(items)}, nil
}
