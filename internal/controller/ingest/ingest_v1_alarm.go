package ingest

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/ingest/v1"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

// Alarm handles POST /api/v1/alarm.
func (c *ControllerV1) Alarm(ctx context.Context, _ *v1.AlarmReq) (*v1.AlarmRes, error) {
	key, err := retryKey(ctx)
	if err != nil {
		return nil, err
	}
	items, batch, err := ingest.Decode[model.AlarmBusinessData](middleware.Body(ctx))
	if err != nil {
		return nil, err
	}
	var receipts []model.AlarmReceipt
	if key == nil {
		receipts, err = c.svc.PublishAlarms(ctx, items, batch)
	} else {
		var replayed bool
		if receipts, replayed, err = c.svc.PublishAlarmsOnce(ctx, *key, items, batch); replayed {
			markReplayed(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	return &v1.AlarmRes{Accepted: len(receipts), Items: receipts}, nil
}
