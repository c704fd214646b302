package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
)

func init() { RegisterOutletType("webpush", NewWebPush) }

// WebPushTTL is how long a push service keeps a message for a browser that is offline. An
// alarm's later state replaces it (same Topic), so a day is long enough.
const WebPushTTL = 24 * time.Hour

// WebPush sends notifications to browsers' push subscriptions (RFC 8030, RFC 8291, VAPID): a
// PushOutlet, whose targets are the registered devices of platform webpush.
type WebPush struct {
	name   string
	vapid  *webpush.VAPID
	policy webpush.Policy
	sender *webpush.Sender
}

// NewWebPush builds a webpush outlet: vapidPublicKey and vapidPrivateKey (a pair, `pulse vapid`),
// subject (mailto: or https:), endpointHosts and allowHttpEndpoints (the endpoint policy).
func NewWebPush(cfg OutletConfig) (Outlet, error) {
	if cfg.VAPIDPublicKey == "" || cfg.VAPIDPrivateKey == "" {
		return nil, errors.New("vapidPublicKey and vapidPrivateKey: are required (`pulse vapid` prints a pair)")
	}
	v, err := webpush.ParseVAPID(cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey)
	if err != nil {
		return nil, err
	}
	policy := webpush.Policy{Hosts: cfg.EndpointHosts, AllowHTTP: cfg.AllowHTTPEndpoints}
	s, err := webpush.NewSender(v, cfg.Subject, policy)
	if err != nil {
		return nil, err
	}
	return &WebPush{name: cfg.Name, vapid: v, policy: policy, sender: s}, nil
}

func (w *WebPush) Name() string      { return w.name }
func (w *WebPush) Type() string      { return "webpush" }
func (w *WebPush) Targets() []string { return nil }
func (w *WebPush) Platform() string  { return device.WebPush }

// VAPIDPublicKey is the key browsers subscribe with (GET /api/v1/devices/vapid).
func (w *WebPush) VAPIDPublicKey() string { return w.vapid.PublicKey() }

// checkDeviceTimeout bounds the DNS lookup of a registration's endpoint.
const checkDeviceTimeout = 5 * time.Second

// CheckDevice refuses a subscription Pulse must not send to (webpush.Policy.CheckEndpoint:
// not https, a host outside endpointHosts, a name resolving to a loopback, private or link-local
// address) or whose keys cannot encrypt. Nothing is sent to the endpoint.
func (w *WebPush) CheckDevice(d *device.Device) error {
	if d.Subscription == nil {
		return errors.New("subscription: is required for platform webpush")
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkDeviceTimeout)
	defer cancel()
	if err := w.policy.CheckEndpoint(ctx, d.Subscription.Endpoint); err != nil {
		return fmt.Errorf("subscription.endpoint: %w", err)
	}
	if _, err := webpush.ParseKeys(webpush.Keys(d.Subscription.Keys)); err != nil {
		return fmt.Errorf("subscription: %w", err)
	}
	return nil
}

// Send is not called: a push outlet sends to devices (SendDevice).
func (w *WebPush) Send(context.Context, string, Notification) error {
	return &SendError{Permanent: true, Reason: "webpush sends to registered devices only"}
}

// SendDevice pushes n to d's subscription once.
func (w *WebPush) SendDevice(ctx context.Context, d *device.Device, n Notification) error {
	if d.Subscription == nil {
		return &SendError{Permanent: true, Reason: "the device has no subscription"}
	}
	sub := webpush.Subscription{Endpoint: d.Subscription.Endpoint, Keys: webpush.Keys(d.Subscription.Keys)}
	where := endpointWhere(sub.Endpoint)
	p := PushPayloadOf(n)
	body, err := json.Marshal(p)
	if err != nil {
		return &SendError{Permanent: true, Where: where, Reason: "encoding the payload: " + err.Error()}
	}
	m := webpush.Message{Payload: body, TTL: WebPushTTL, Urgency: "normal"}
	if p.Urgent() {
		m.Urgency = "high"
	}
	if p.AlarmID != "" {
		m.Topic = collapseOf(n, p)
	}
	a, err := w.sender.Send(ctx, sub, m)
	switch {
	case errors.Is(err, webpush.ErrEndpoint), errors.Is(err, webpush.ErrKeys), errors.Is(err, webpush.ErrTooLarge):
		return &SendError{Permanent: true, Where: where, Reason: CutError(unwrapURLError(err))}
	case err != nil:
		return &SendError{Where: where, Reason: transportReason(err)}
	}
	resp := &http.Response{StatusCode: a.Status, Header: http.Header{"Retry-After": {a.RetryAfter}}}
	err = HTTPStatusError(resp, where)
	var e *SendError
	if errors.As(err, &e) {
		// RFC 8030 8.3: 404 and 410 both say the subscription is over; a redirect is not followed.
		if a.Status == http.StatusNotFound {
			e.Gone = true
		}
		if a.Status >= 300 && a.Status < 400 {
			e.Permanent = true
		}
	}
	return err
}

// endpointWhere is scheme://host of an endpoint: its path identifies the subscription, which is
// nobody's business in a notification record.
func endpointWhere(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "webpush"
	}
	return u.Scheme + "://" + u.Host
}
