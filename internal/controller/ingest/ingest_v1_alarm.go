package ingest

import (
	"context"

	v1 "pulse/api/ingest/v1"
	"pulse/internal/middleware"
	"pulse/internal/model"
	"pulse/internal/service/ingest"
)

// Alarm handles POST /api/v1/alarm.
func (c *ControllerV1) Alarm(ctx context.Context, _ *v1.AlarmReq) (*v1.AlarmRes, error) {
	items, batch, err := ingest.Decode[model.AlarmBusinessData](middleware.Body(ctx))
	if err != nil {
		return nil, err
	}
	receipts, err := c.svc.PublishAlarms(ctx, items, batch)
	if err != nil {
		return nil, err
	}
	return &v1.AlarmRes{Accepted: len(receipts), Items: receipts}, nil
}
