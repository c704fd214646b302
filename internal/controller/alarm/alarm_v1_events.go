package alarm

import (
	"context"

	v1 "pulse/api/alarm/v1"
	"pulse/internal/auth"
)

// Events handles GET /api/v1/alarms/{alarmId}/events: with auth on, only of an alarm the token's
// alarms patterns cover (else 403, as for an acknowledgement).
func (c *ControllerV1) Events(ctx context.Context, req *v1.EventsReq) (*v1.EventsRes, error) {
	id, authed := auth.FromContext(ctx)
	items, err := c.svc.Events(ctx, req.AlarmId, req.Limit, scopeOf(id, authed))
	if err != nil {
		return nil, err
	}
	return &v1.EventsRes{Items: items}, nil
}
