package alarm

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// ClearOfBusiness handles POST /api/v1/alarms/{businessType}/{businessId}/{alarmId}/clear; its body
// is an acknowledgement's ({"user":...}), {} or empty, and the user is the token's sub with auth
// on.
func (c *ControllerV1) ClearOfBusiness(ctx context.Context, req *v1.ClearOfBusinessReq) (*v1.ClearOfBusinessRes, error) {
	a, err := c.clear(ctx, model.AlarmKey{BusinessType: req.BusinessType, BusinessId: req.BusinessId, AlarmId: req.AlarmId})
	if err != nil {
		return nil, err
	}
	return &v1.ClearOfBusinessRes{Alarm: a}, nil
}

// Clear handles POST /api/v1/alarms/{alarmId}/clear, the short form: the one alarm of that id in
// the caller's scope.
func (c *ControllerV1) Clear(ctx context.Context, req *v1.ClearReq) (*v1.ClearRes, error) {
	a, err := c.clear(ctx, model.AlarmKey{AlarmId: req.AlarmId})
	if err != nil {
		return nil, err
	}
	return &v1.ClearRes{Alarm: a}, nil
}

func (c *ControllerV1) clear(ctx context.Context, ref model.AlarmKey) (*model.Alarm, error) {
	var body v1.AckBody
	if err := decodeBody(ctx, &body); err != nil {
		return nil, err
	}
	id, authed := auth.FromContext(ctx)
	return changeAlarm(ctx, c.svc, actorOf(id, authed, body.User), ref, body.Comment, c.svc.Clear)
}
