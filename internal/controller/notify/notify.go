// Package notify holds the handlers of the notification API.
package notify

import (
	"context"
	"errors"
	"sort"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/notify/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// ControllerV1 handles the notification API.
type ControllerV1 struct {
	alarms     *alarm.Service
	dispatcher func() *notify.Dispatcher // nil result: notifications are off
}

// NewV1 returns the controller over the alarm store and the node's dispatcher.
func NewV1(alarms *alarm.Service, dispatcher func() *notify.Dispatcher) *ControllerV1 {
	return &ControllerV1{alarms: alarms, dispatcher: dispatcher}
}

// Deliveries handles GET /api/v1/alarms/{businessType}/{businessId}/{alarmId}/deliveries.
func (c *ControllerV1) Deliveries(ctx context.Context, req *v1.DeliveriesReq) (*v1.DeliveriesRes, error) {
	id, authed := auth.FromContext(ctx)
	scope := model.Scope{}
	if authed {
		scope = model.ScopeOf(id.Alarms)
	}
	key, err := c.alarms.Resolve(ctx, model.AlarmKey{BusinessType: req.BusinessType, BusinessId: req.BusinessId, AlarmId: req.AlarmId}, scope)
	if err != nil {
		return nil, err
	}
	// Resolve checks the scope; the history's latest event, that the alarm is stored.
	if _, err := c.alarms.Events(ctx, key, 1, scope); err != nil {
		return nil, err
	}
	store, err := c.alarms.NotifyStore()
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "the notification records cannot be read now")
	}
	items, err := store.Deliveries(ctx, key, req.Limit)
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "the notification records cannot be read now")
	}
	return &v1.DeliveriesRes{Items: items}, nil
}

// Test handles POST /api/v1/notify/test.
func (c *ControllerV1) Test(ctx context.Context, req *v1.TestReq) (*v1.TestRes, error) {
	if id, authed := auth.FromContext(ctx); authed && (!id.Ack || !coversAll(id.Alarms)) {
		return nil, gerror.NewCode(consts.CodeForbidden, `trying an outlet needs a token with "ack": true and "*" in its alarms patterns`)
	}
	var body v1.TestBody
	if raw := middleware.Body(ctx); len(raw) > 0 {
		if err := strictjson.Unmarshal(raw, &body); err != nil {
			return nil, gerror.NewCodef(consts.CodeInvalidInput, "body: %v", err)
		}
	}
	if body.Outlet == "" {
		return nil, gerror.NewCode(consts.CodeInvalidInput, `body: outlet is required: {"outlet": "<name in notify.outlets>"}`)
	}
	d := c.dispatcher()
	if d == nil {
		return nil, gerror.NewCodef(consts.CodeNotFound, "outlet %q not found: notify.outlets is empty", body.Outlet)
	}
	results, err := d.Test(ctx, body.Outlet)
	if notify.IsUnknownOutlet(err) {
		return nil, gerror.NewCodef(consts.CodeNotFound, "outlet %q not found in notify.outlets", body.Outlet)
	}
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "trying the outlet")
	}
	res := &v1.TestRes{Outlet: body.Outlet, Results: []v1.TestResult{}}
	for target, err := range results {
		r := v1.TestResult{Target: target, OK: err == nil}
		if err != nil {
			r.Error = notify.CutError(err)
			var se *notify.SendError
			if errors.As(err, &se) {
				r.Status = se.Status
			}
		}
		res.Results = append(res.Results, r)
	}
	sort.Slice(res.Results, func(i, j int) bool { return res.Results[i].Target < res.Results[j].Target })
	return res, nil
}

// coversAll reports whether patterns hold "*".
func coversAll(patterns []model.Pattern) bool {
	for _, p := range patterns {
		if p.Type == "" {
			return true
		}
	}
	return false
}
