package alarm

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// AckOfBusiness handles POST /api/v1/alarms/{businessType}/{businessId}/{alarmId}/ack: the alarm
// from the path, the user from the token (auth on) or the body (auth off).
func (c *ControllerV1) AckOfBusiness(ctx context.Context, req *v1.AckOfBusinessReq) (*v1.AckOfBusinessRes, error) {
	a, err := c.ack(ctx, model.AlarmKey{BusinessType: req.BusinessType, BusinessId: req.BusinessId, AlarmId: req.AlarmId})
	if err != nil {
		return nil, err
	}
	return &v1.AckOfBusinessRes{Alarm: a}, nil
}

// Ack handles POST /api/v1/alarms/{alarmId}/ack, the short form: the one alarm of that id in the
// caller's scope.
func (c *ControllerV1) Ack(ctx context.Context, req *v1.AckReq) (*v1.AckRes, error) {
	a, err := c.ack(ctx, model.AlarmKey{AlarmId: req.AlarmId})
	if err != nil {
		return nil, err
	}
	return &v1.AckRes{Alarm: a}, nil
}

func (c *ControllerV1) ack(ctx context.Context, ref model.AlarmKey) (*model.Alarm, error) {
	var body v1.AckBody
	if err := decodeBody(ctx, &body); err != nil {
		return nil, err
	}
	id, authed := auth.FromContext(ctx)
	return changeAlarm(ctx, c.svc, actorOf(id, authed, body.User), ref, body.Comment, c.svc.Ack)
}
