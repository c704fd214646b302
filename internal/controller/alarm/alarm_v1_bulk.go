package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
)

// BulkAck handles POST /api/v1/alarms/ack: the alarms of the body, each acknowledged or refused
// on its own.
func (c *ControllerV1) BulkAck(ctx context.Context, _ *v1.BulkAckReq) (*v1.BulkAckRes, error) {
	items, err := c.bulk(ctx, c.svc.AckMany)
	if err != nil {
		return nil, err
	}
	return &v1.BulkAckRes{Items: items}, nil
}

// BulkClear handles POST /api/v1/alarms/clear: the alarms of the body, each cleared or refused on
// its own.
func (c *ControllerV1) BulkClear(ctx context.Context, _ *v1.BulkClearReq) (*v1.BulkClearRes, error) {
	items, err := c.bulk(ctx, c.svc.ClearMany)
	if err != nil {
		return nil, err
	}
	return &v1.BulkClearRes{Items: items}, nil
}

// changeMany is alarm.Service's AckMany or ClearMany.
type changeMany func(ctx context.Context, keys []model.AlarmKey, ch alarm.Change, scope model.Scope) ([]alarm.Outcome, error)

// bulk decodes the body, refuses an actor that may not change alarms as a whole (403: unlike one
// alarm's, this answer tells nothing of any alarm), and applies do to the alarms named.
func (c *ControllerV1) bulk(ctx context.Context, do changeMany) ([]v1.BulkItem, error) {
	var body v1.BulkBody
	if err := decodeBody(ctx, &body); err != nil {
		return nil, err
	}
	if body.Alarms == nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, `body: alarms is required: send {"alarms":[{"businessType":"...","businessId":"...","alarmId":"..."}, ...],"comment":"..."}`)
	}
	id, authed := auth.FromContext(ctx)
	a := actorOf(id, authed, body.User)
	if a.refused != nil {
		return nil, a.refused
	}
	keys := make([]model.AlarmKey, len(body.Alarms))
	for i, r := range body.Alarms {
		keys[i] = model.AlarmKey{BusinessType: r.BusinessType, BusinessId: r.BusinessId, AlarmId: r.AlarmId}
	}
	outcomes, err := do(ctx, keys, alarm.Change{User: a.user, Comment: body.Comment}, a.scope)
	if err != nil {
		return nil, err
	}
	items := make([]v1.BulkItem, len(outcomes))
	for i, o := range outcomes {
		items[i] = v1.BulkItem{AlarmRef: body.Alarms[i], Ok: o.Err == nil, Alarm: o.State}
		if o.Err != nil {
			code := gerror.Code(o.Err)
			items[i].Status, items[i].Code, items[i].Message = consts.HTTPStatus(code), code.Code(), o.Err.Error()
			items[i].Alarm = nil
		}
	}
	return items, nil
}
