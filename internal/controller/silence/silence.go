// Package silence handles the silence API (/api/v1/silences).
package silence

import (
	"context"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/silence/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/silence"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// ControllerV1 handles /api/v1/silences.
type ControllerV1 struct {
	svc *alarm.Service
	now func() time.Time
}

// NewV1 returns the controller over svc.
func NewV1(svc *alarm.Service) *ControllerV1 { return &ControllerV1{svc: svc, now: time.Now} }

// anonymous is who silences with auth off when the body names nobody.
const anonymous = "anonymous"

var noAck = gerror.NewCode(consts.CodeForbidden, `your token does not allow silencing alarms (its pulse claim needs "ack": true)`)

// Create handles POST /api/v1/silences.
func (c *ControllerV1) Create(ctx context.Context, req *v1.CreateReq) (*v1.CreateRes, error) {
	var body v1.CreateBody
	if raw := middleware.Body(ctx); len(raw) > 0 {
		if err := strictjson.Unmarshal(raw, &body); err != nil {
			return nil, gerror.NewCodef(consts.CodeInvalidInput, "body: %v", err)
		}
	}
	id, authed := auth.FromContext(ctx)
	user, scope := body.User, model.Scope{}
	if authed {
		if !id.Ack {
			return nil, noAck
		}
		user, scope = id.Sub, model.ScopeOf(id.Alarms)
	}
	if user == "" {
		user = anonymous
	}
	if err := model.CheckName(user); err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "user: %v", err)
	}
	now := c.now().UnixMilli()
	s := &silence.Silence{ID: silence.NewID(), Matchers: body.Matchers, StartsAt: body.StartsAt, EndsAt: body.EndsAt,
		UntilCleared: body.UntilCleared, Comment: body.Comment, CreatedBy: user, CreatedAt: now}
	if s.StartsAt == 0 {
		s.StartsAt = now
	}
	if err := s.Check(now); err != nil {
		return nil, gerror.NewCode(consts.CodeInvalidInput, err.Error())
	}
	if !s.Within(scope) {
		return nil, gerror.NewCode(consts.CodeForbidden, "matchers.businesses: every pattern must be within your token's alarms patterns (a silence without businesses needs *)")
	}
	made, err := c.svc.CreateSilence(ctx, s)
	if err != nil {
		return nil, err
	}
	return &v1.CreateRes{Silence: made}, nil
}

// List handles GET /api/v1/silences.
func (c *ControllerV1) List(ctx context.Context, req *v1.ListReq) (*v1.ListRes, error) {
	id, authed := auth.FromContext(ctx)
	scope := model.Scope{}
	if authed {
		if len(id.Alarms) == 0 {
			return nil, gerror.NewCode(consts.CodeForbidden, "your token has no alarms patterns: it sees no silences")
		}
		scope = model.ScopeOf(id.Alarms)
	}
	items, err := c.svc.Silences(ctx, scope)
	if err != nil {
		return nil, err
	}
	return &v1.ListRes{Items: items}, nil
}

// Delete handles DELETE /api/v1/silences/{id}.
func (c *ControllerV1) Delete(ctx context.Context, req *v1.DeleteReq) (*v1.DeleteRes, error) {
	id, authed := auth.FromContext(ctx)
	scope := model.Scope{}
	if authed {
		scope = model.ScopeOf(id.Alarms)
		if !id.Ack {
			// Said only of a silence the token may see: another looks absent.
			visible, err := c.svc.Silences(ctx, scope)
			if err != nil {
				return nil, err
			}
			for _, s := range visible {
				if s.ID == req.Id {
					return nil, noAck
				}
			}
			return nil, gerror.NewCodef(consts.CodeNotFound, "silence %q not found (or ended)", req.Id)
		}
	}
	if err := c.svc.DeleteSilence(ctx, req.Id, scope); err != nil {
		return nil, err
	}
	return &v1.DeleteRes{}, nil
}
