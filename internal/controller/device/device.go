// Package device handles the device API (/api/v1/devices): phones and browsers that receive
// alarms by push.
package device

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/device/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// ControllerV1 handles /api/v1/devices.
type ControllerV1 struct {
	store   func() (*device.Store, error)
	outlets map[string]notify.Outlet // the configured outlets; the push ones take devices
	ttl     time.Duration
	now     func() time.Time
}

// NewV1 returns the controller over the devices of store, for the push outlets among outlets;
// a device expires ttl after its last registration.
func NewV1(store func() (*device.Store, error), outlets map[string]notify.Outlet, ttl time.Duration) *ControllerV1 {
	return &ControllerV1{store: store, outlets: outlets, ttl: ttl, now: time.Now}
}

// anonymous owns the devices registered with auth off.
const anonymous = "anonymous"

// owner is who calls and what their token covers: with auth off, anonymous and everything.
func owner(ctx context.Context) (string, model.Scope) {
	if id, authed := auth.FromContext(ctx); authed {
		return id.Sub, model.ScopeOf(id.Alarms)
	}
	return anonymous, model.Scope{}
}

func (c *ControllerV1) devices() (*device.Store, error) {
	s, err := c.store()
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "devices")
	}
	return s, nil
}

// pushOutlets are the configured outlets of platform, by name.
func (c *ControllerV1) pushOutlets(platform string) []notify.PushOutlet {
	names := make([]string, 0, len(c.outlets))
	for n := range c.outlets {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []notify.PushOutlet
	for _, n := range names {
		if p, ok := c.outlets[n].(notify.PushOutlet); ok && p.Platform() == platform {
			out = append(out, p)
		}
	}
	return out
}

// Register handles POST /api/v1/devices.
func (c *ControllerV1) Register(ctx context.Context, req *v1.RegisterReq) (*v1.RegisterRes, error) {
	var body v1.RegisterBody
	raw := middleware.Body(ctx)
	if len(raw) == 0 {
		return nil, gerror.NewCode(consts.CodeInvalidInput, `body is required: {"platform": "fcm"|"apns", "token": ..., "levels": [...], "businesses": [...]} or {"platform": "webpush", "subscription": {...}, ...}`)
	}
	if err := strictjson.Unmarshal(raw, &body); err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "body: %v", err)
	}
	sub, scope := owner(ctx)
	d := &device.Device{Platform: body.Platform, Token: body.Token, Subscription: body.Subscription,
		Levels: body.Levels, Businesses: body.Businesses}
	if err := d.Check(sub, scope); err != nil {
		if errors.Is(err, device.ErrOutsideScope) {
			return nil, gerror.NewCode(consts.CodeForbidden, err.Error())
		}
		return nil, gerror.NewCode(consts.CodeInvalidInput, err.Error())
	}
	outlets := c.pushOutlets(d.Platform)
	if len(outlets) == 0 {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "platform: no outlet of type %s is configured on this server (notify.outlets): it cannot push to this device", d.Platform)
	}
	for _, o := range outlets {
		if ch, ok := o.(notify.DeviceChecker); ok {
			if err := ch.CheckDevice(d); err != nil {
				return nil, gerror.NewCode(consts.CodeInvalidInput, err.Error())
			}
		}
	}
	store, err := c.devices()
	if err != nil {
		return nil, err
	}
	made, err := store.Register(ctx, d, c.now().UnixMilli(), c.ttl.Milliseconds())
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "registering the device")
	}
	return &v1.RegisterRes{Id: made.ID, ExpiresAt: made.ExpiresAt}, nil
}

// List handles GET /api/v1/devices.
func (c *ControllerV1) List(ctx context.Context, req *v1.ListReq) (*v1.ListRes, error) {
	sub, _ := owner(ctx)
	store, err := c.devices()
	if err != nil {
		return nil, err
	}
	items, err := store.List(ctx, sub, c.now().UnixMilli())
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "listing the devices")
	}
	if items == nil {
		items = []*device.Device{}
	}
	return &v1.ListRes{Items: items}, nil
}

// Delete handles DELETE /api/v1/devices/{id}.
func (c *ControllerV1) Delete(ctx context.Context, req *v1.DeleteReq) (*v1.DeleteRes, error) {
	sub, _ := owner(ctx)
	store, err := c.devices()
	if err != nil {
		return nil, err
	}
	found, err := store.Delete(ctx, sub, req.Id)
	if err != nil {
		return nil, gerror.WrapCode(consts.CodeUnavailable, err, "removing the device")
	}
	if !found {
		return nil, gerror.NewCodef(consts.CodeNotFound, "device %q not found (not yours, removed, or never registered)", req.Id)
	}
	return &v1.DeleteRes{}, nil
}

// VAPID handles GET /api/v1/devices/vapid.
func (c *ControllerV1) VAPID(ctx context.Context, req *v1.VAPIDReq) (*v1.VAPIDRes, error) {
	for _, o := range c.pushOutlets(device.WebPush) {
		if k, ok := o.(notify.VAPIDKeyer); ok {
			return &v1.VAPIDRes{PublicKey: k.VAPIDPublicKey()}, nil
		}
	}
	return nil, gerror.NewCode(consts.CodeNotFound, "no webpush outlet is configured on this server (notify.outlets): browsers cannot subscribe")
}
