package alarm

import (
	"context"

	v1 "pulse/api/alarm/v1"
)

// Ack handles POST /api/v1/alarms/{alarmId}/ack.
func (c *ControllerV1) Ack(ctx context.Context, req *v1.AckReq) (*v1.AckRes, error) {
	a, err := c.svc.Ack(ctx, req.AlarmId, req.User)
	if err != nil {
		return nil, err
	}
	return &v1.AckRes{Alarm: a}, nil
}
