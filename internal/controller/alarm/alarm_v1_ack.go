package alarm

import (
	"context"

	v1 "pulse/api/alarm/v1"
	"pulse/internal/auth"
)

// Ack handles POST /api/v1/alarms/{alarmId}/ack: the id from the path, the user from the token
// (auth on) or the body (auth off).
func (c *ControllerV1) Ack(ctx context.Context, req *v1.AckReq) (*v1.AckRes, error) {
	var body v1.AckBody
	if err := decodeBody(ctx, &body); err != nil {
		return nil, err
	}
	id, authed := auth.FromContext(ctx)
	user, scope, err := actor(id, authed, body.User)
	if err != nil {
		return nil, err
	}
	a, err := c.svc.Ack(ctx, req.AlarmId, user, scope)
	if err != nil {
		return nil, err
	}
	return &v1.AckRes{Alarm: a}, nil
}
