// Package v1 defines the device API: phones and browsers register for the alarms they receive
// by push when their app is in the background.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/device"
)

// RegisterReq registers a device, or registers the same one again; the body is RegisterBody.
type RegisterReq struct {
	g.Meta `path:"/devices" method:"post" credential:"token" mime:"application/json" errors:"400,403,503" tags:"Devices" summary:"Register a device for push" dc:"Registers a phone (FCM or APNs token) or a browser (Web Push subscription) to receive, by push, the alarms of the token's alarms patterns that its filter selects (levels, businesses: patterns within the token's alarms patterns, else 403). Registering the same token (or endpoint) again updates the device and keeps its id; it expires notify.deviceTTL (default 30 days) after its last registration, so an app registers when it starts and when its token changes. A user has at most 10 devices: the one registered longest ago goes. 400 when the platform has no outlet configured, or the token or subscription is not one."`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (RegisterReq) Bodies() []any { return []any{RegisterBody{}} }

// RegisterBody is a device registration.
type RegisterBody struct {
	Platform     string               `json:"platform" dc:"fcm, apns or webpush" eg:"fcm"`
	Token        string               `json:"token" dc:"fcm and apns: the device's push token" eg:"dXJ0...:APA91b..."`
	Subscription *device.Subscription `json:"subscription" dc:"webpush: the browser's PushSubscription.toJSON() {endpoint, keys: {p256dh, auth}}"`
	Levels       []string             `json:"levels" dc:"the levels to receive; empty or absent: every level"`
	Businesses   []string             `json:"businesses" dc:"business patterns (\"T/I\", \"T/*\", \"*\") within the token's alarms patterns; empty or absent: all of them"`
}

// RegisterRes is the device's id.
type RegisterRes struct {
	Id        string `json:"id" dc:"the device's id: the same for the same (user, platform, token or endpoint)" eg:"dev_k3j5v7x9b2d4f6h8m2n4p6q8r2"`
	ExpiresAt int64  `json:"expiresAt" dc:"unix ms: register again before then" eg:"1734842000123"`
}

// ListReq lists the caller's devices.
type ListReq struct {
	g.Meta `path:"/devices" method:"get" credential:"token" errors:"503" tags:"Devices" summary:"List your devices" dc:"The caller's registered devices not expired, registered longest ago first."`
}

// ListRes holds the devices.
type ListRes struct {
	Items []*device.Device `json:"items" dc:"the devices"`
}

// DeleteReq removes one of the caller's devices.
type DeleteReq struct {
	g.Meta `path:"/devices/{id}" method:"delete" credential:"token" errors:"404,503" tags:"Devices" summary:"Remove a device" dc:"The device receives nothing more. Another user's device, or one that is not there, is 404."`
	Id     string `json:"id" in:"path" v:"required" dc:"the device's id" eg:"dev_k3j5v7x9b2d4f6h8m2n4p6q8r2"`
}

// DeleteRes is empty.
type DeleteRes struct{}

// VAPIDReq asks for the key browsers subscribe with.
type VAPIDReq struct {
	g.Meta `path:"/devices/vapid" method:"get" credential:"token" errors:"404" tags:"Devices" summary:"The VAPID public key for Web Push" dc:"The applicationServerKey a browser subscribes with (pushManager.subscribe) before registering its subscription. 404 when no webpush outlet is configured."`
}

// VAPIDRes is the key.
type VAPIDRes struct {
	PublicKey string `json:"publicKey" dc:"base64url, the uncompressed P-256 point (65 bytes)" eg:"BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"`
}
