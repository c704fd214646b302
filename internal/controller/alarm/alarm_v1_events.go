package alarm

import (
	"context"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// EventsOfBusiness handles GET /api/v1/alarms/{businessType}/{businessId}/{alarmId}/events: with
// auth on, an alarm outside the token's alarms patterns is not found, as an unknown one.
func (c *ControllerV1) EventsOfBusiness(ctx context.Context, req *v1.EventsOfBusinessReq) (*v1.EventsOfBusinessRes, error) {
	items, err := c.events(ctx, model.AlarmKey{BusinessType: req.BusinessType, BusinessId: req.BusinessId, AlarmId: req.AlarmId}, req.Limit)
	if err != nil {
		return nil, err
	}
	return &v1.EventsOfBusinessRes{Items: items}, nil
}

// Events handles GET /api/v1/alarms/{alarmId}/events, the short form: the one alarm of that id in
// the caller's scope.
func (c *ControllerV1) Events(ctx context.Context, req *v1.EventsReq) (*v1.EventsRes, error) {
	items, err := c.events(ctx, model.AlarmKey{AlarmId: req.AlarmId}, req.Limit)
	if err != nil {
		return nil, err
	}
	return &v1.EventsRes{Items: items}, nil
}

func (c *ControllerV1) events(ctx context.Context, ref model.AlarmKey, limit int) ([]model.AlarmMessage, error) {
	id, authed := auth.FromContext(ctx)
	return c.svc.Events(ctx, ref, limit, scopeOf(id, authed))
}
