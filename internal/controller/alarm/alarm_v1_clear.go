package alarm

import (
	"context"

	v1 "pulse/api/alarm/v1"
	"pulse/internal/auth"
)

// Clear handles POST /api/v1/alarms/{alarmId}/clear; its body is empty or {}.
func (c *ControllerV1) Clear(ctx context.Context, req *v1.ClearReq) (*v1.ClearRes, error) {
	if err := decodeBody(ctx, &struct{}{}); err != nil {
		return nil, err
	}
	id, authed := auth.FromContext(ctx)
	_, scope, err := actor(id, authed, "")
	if err != nil {
		return nil, err
	}
	a, err := c.svc.Clear(ctx, req.AlarmId, scope)
	if err != nil {
		return nil, err
	}
	return &v1.ClearRes{Alarm: a}, nil
}
