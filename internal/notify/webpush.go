package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
)

func init() { RegisterOutletType("webpush", NewWebPush) }

// WebPushTTL is how long a push service keeps a message for a browser that is offline. An
// alarm's later state replaces it (same Topic), so a day is long enough.
const WebPushTTL = 24 * time.Hour

// WebPush sends notifications to browsers' push subscriptions (RFC 8030, RFC 8291, VAPID).
// Its targets are subscriptions: SubscriptionOf says which subscription a target is.
type WebPush struct {
	name   string
	vapid  *webpush.VAPID
	policy webpush.Policy
	sender *webpush.Sender
	// SubscriptionOf finds the subscription of a target; the default reads the target as a
	// subscription's JSON. The device registry replaces it.
	SubscriptionOf func(ctx context.Context, target string) (webpush.Subscription, error)
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
	policy := WebPushPolicy(cfg)
	s, err := webpush.NewSender(v, cfg.Subject, policy)
	if err != nil {
		return nil, err
	}
	return &WebPush{name: cfg.Name, vapid: v, policy: policy, sender: s, SubscriptionOf: subscriptionJSON}, nil
}

// WebPushPolicy is the endpoint policy of a webpush outlet's configuration: registrations are
// checked against it (CheckEndpoint) as sends are.
func WebPushPolicy(cfg OutletConfig) webpush.Policy {
	return webpush.Policy{Hosts: cfg.EndpointHosts, AllowHTTP: cfg.AllowHTTPEndpoints}
}

func subscriptionJSON(_ context.Context, target string) (webpush.Subscription, error) {
	var s webpush.Subscription
	if err := json.Unmarshal([]byte(target), &s); err != nil {
		return s, errors.New("the target is not a subscription")
	}
	return s, nil
}

func (w *WebPush) Name() string { return w.name }
func (w *WebPush) Type() string { return "webpush" }

// Targets: a push outlet's targets are the registered devices the router picks per alarm.
func (w *WebPush) Targets() []string { return nil }

// VAPIDPublicKey is the key browsers subscribe with (GET /api/v1/devices/vapid).
func (w *WebPush) VAPIDPublicKey() string { return w.vapid.PublicKey() }

// Policy is the outlet's endpoint policy.
func (w *WebPush) Policy() webpush.Policy { return w.policy }

// PushPayload is what a phone or a browser receives: small (push services take 4 KB), enough to
// show a notification and acknowledge it; the app resumes its console with since=seq for the
// rest.
type PushPayload struct {
	AlarmID      string `json:"alarmId"`
	Seq          int64  `json:"seq"`
	Level        string `json:"level"`
	Title        string `json:"title"`
	BusinessType string `json:"businessType"`
	BusinessID   string `json:"businessId"`
	Event        string `json:"event"` // the notification's kind: raised, repeated, reminder, escalated, acked, cleared, unsilenced, test
	AckURL       string `json:"ackUrl,omitempty"`
	More         int    `json:"more,omitempty"` // other alarms of the group, not shown
}

// NewPushPayload is n's payload: its most severe alarm (the newest of equals); a test
// notification has none.
func NewPushPayload(n Notification) PushPayload {
	p := PushPayload{Event: n.Kind}
	if len(n.Alarms) == 0 {
		p.Title, p.Level = "Pulse test notification", model.LevelInfo
		return p
	}
	a := n.Alarms[0]
	for _, b := range n.Alarms[1:] {
		if rank(b.Level) >= rank(a.Level) {
			a = b
		}
	}
	p.AlarmID, p.Seq, p.Level, p.Title = a.AlarmId, a.Seq, level(a.Level), oneLine(a.Title, maxTitleRunes)
	p.BusinessType, p.BusinessID, p.AckURL = a.BusinessType, a.BusinessId, a.AckURL
	p.More = len(n.Alarms) - 1
	return p
}

// Send pushes n to the subscription target names.
func (w *WebPush) Send(ctx context.Context, target string, n Notification) error {
	sub, err := w.SubscriptionOf(ctx, target)
	if err != nil {
		return &SendError{Permanent: true, Reason: err.Error()}
	}
	where := endpointWhere(sub.Endpoint)
	p := NewPushPayload(n)
	body, err := json.Marshal(p)
	if err != nil {
		return &SendError{Permanent: true, Where: where, Reason: "encoding the payload: " + err.Error()}
	}
	m := webpush.Message{Payload: body, TTL: WebPushTTL, Urgency: "normal"}
	if p.Level == model.LevelCritical {
		m.Urgency = "high"
	}
	if p.AlarmID != "" {
		m.Topic = webpush.Topic(p.BusinessType, p.BusinessID, p.AlarmID)
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
