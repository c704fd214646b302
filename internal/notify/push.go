package notify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// PushOutlet is an outlet of a push service (FCM, APNs, Web Push): its targets are not
// configured but registered, the devices of its platform. The router makes one notification per
// device whose owner's scope and filter select the alarm, chosen in the transaction that writes
// the outbox; the dispatcher reads the device as it sends, and removes it when the push service
// says it is gone (SendError.Gone). Targets is nil and Send is not called: SendDevice is.
type PushOutlet interface {
	Outlet
	// Platform is the device platform the outlet delivers to: device.FCM, device.APNs or
	// device.WebPush.
	Platform() string
	// SendDevice delivers n to d once, as Send does to a target.
	SendDevice(ctx context.Context, d *device.Device, n Notification) error
}

// DeviceChecker is a push outlet that refuses some registrations of its platform (a Web Push
// endpoint on a host it does not send to): the device API answers 400 with the error's message.
type DeviceChecker interface {
	CheckDevice(d *device.Device) error
}

// VAPIDKeyer is a Web Push outlet: browsers subscribe with its VAPID public key
// (GET /api/v1/devices/vapid).
type VAPIDKeyer interface {
	VAPIDPublicKey() string // base64url, uncompressed P-256 point
}

// PushPayload is what a push carries of an alarm (FCM data, APNs custom keys, Web Push
// plaintext): enough to show a notification and find the alarm; the app resumes its console with
// since for the whole state.
type PushPayload struct {
	AlarmID      string `json:"alarmId"`
	Seq          int64  `json:"seq"`
	Level        string `json:"level"`
	Title        string `json:"title"`
	BusinessType string `json:"businessType"`
	BusinessID   string `json:"businessId"`
	Event        string `json:"event"` // the notification's kind: raised, repeated, reminder, escalated, acked, cleared, unsilenced, test, notice
	AckURL       string `json:"ackUrl,omitempty"`
}

// maxPushTitle bounds the title a push carries, in bytes (cut on a rune boundary): APNs takes 4 KB
// in all, FCM 4 KB of data.
const maxPushTitle = 256

// PushPayloadOf is n's payload: of its newest alarm (a grouped notification says how many others
// in its title).
func PushPayloadOf(n Notification) PushPayload {
	if len(n.Alarms) == 0 {
		return PushPayload{Event: n.Kind}
	}
	a := n.Alarms[len(n.Alarms)-1]
	title := cutUTF8(a.Title, maxPushTitle)
	if len(n.Alarms) > 1 {
		title += " (+" + strconv.Itoa(len(n.Alarms)-1) + " more)"
	}
	return PushPayload{AlarmID: a.AlarmId, Seq: a.Seq, Level: a.Level, Title: title, BusinessType: a.BusinessType,
		BusinessID: a.BusinessId, Event: n.Kind, AckURL: a.AckURL}
}

// Urgent reports whether a push of p goes at the platform's high priority: critical alarms.
func (p PushPayload) Urgent() bool { return p.Level == model.LevelCritical }

// CollapseID is the first 32 characters of base64url(SHA-256("businessType/businessId/alarmId")):
// APNs apns-collapse-id (64 bytes at most) and Web Push Topic (32 characters at most), so that a
// phone shows one notification per alarm, updated.
func CollapseID(businessType, businessID, alarmID string) string {
	sum := sha256.Sum256([]byte(businessType + "/" + businessID + "/" + alarmID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// collapseOf is the collapse id of n's pushes: per alarm, and per notice for a notice (which
// carries no alarm of its own, so its business's notices must not replace each other).
func collapseOf(n Notification, p PushPayload) string {
	if n.Kind == KindNotice {
		return CollapseID(p.BusinessType, p.BusinessID, n.ID)
	}
	return CollapseID(p.BusinessType, p.BusinessID, p.AlarmID)
}

// cutUTF8 is s cut to at most n bytes, on a rune boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// expandDevices replaces each row to a push outlet (made by the router with no target) by one row
// per device of its platform that selects its alarm, as of tx (from cache when it is current; nil
// reads them): a device registered on any node before the commit is among them.
func expandDevices(ctx context.Context, tx execer, dialect string, rows []Row, cache *device.Cache) ([]Row, error) {
	has := false
	for _, r := range rows {
		has = has || r.platform != ""
	}
	if !has {
		return rows, nil
	}
	byPlatform := map[string][]*device.Device{}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		if r.platform == "" {
			out = append(out, r)
			continue
		}
		devices, ok := byPlatform[r.platform]
		if !ok {
			var err error
			if cache == nil {
				cache = device.NewCache()
			}
			if devices, err = cache.Of(ctx, tx, dialect, r.platform, r.Created); err != nil {
				return nil, err
			}
			byPlatform[r.platform] = devices
		}
		for _, d := range devices {
			if !d.Selects(r.alarm) {
				continue
			}
			e := r
			e.platform, e.alarm = "", nil
			e.Key.Target = d.ID
			e.ID = e.Key.ID()
			out = append(out, e)
		}
	}
	return out, nil
}
