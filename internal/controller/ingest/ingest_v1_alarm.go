package ingest

import (
	"context"

	"github.com/gogf/gf/v2/frame/g"

	v1 "pulse/api/ingest/v1"
	"pulse/internal/model"
	"pulse/internal/service/ingest"
)

// Alarm handles POST /api/v1/alarm.
func (c *ControllerV1) Alarm(ctx context.Context, _ *v1.AlarmReq) (*v1.AlarmRes, error) {
	items, batch, err := ingest.Decode[model.AlarmBusinessData](g.RequestFromCtx(ctx).GetBody())
	if err != nil {
		return nil, err
	}
	receipts, err := c.svc.PublishAlarms(ctx, items, batch)
	if err != nil {
		return nil, err
	}
	return &v1.AlarmRes{Accepted: len(receipts), Items: receipts}, nil
}
