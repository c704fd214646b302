package notify_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

// withWebPush configures a webpush outlet "browsers" and a route of every alarm to it.
func withWebPush(allowHTTP bool) (func(*config.Config), string) {
	pub, priv, err := webpush.GenerateVAPID()
	if err != nil {
		panic(err)
	}
	return func(c *config.Config) {
		c.Notify = notify.DefaultConfig()
		c.Notify.Outlets = []notify.OutletConfig{{Name: "browsers", Type: "webpush", VAPIDPublicKey: pub, VAPIDPrivateKey: priv,
			Subject: "mailto:ops@example.com", AllowHTTPEndpoints: allowHTTP}}
		c.Notify.Routes = []notify.Route{{Name: "all", To: []string{"browsers"}, Resolved: true}}
	}, pub
}

// pushed is the payload of the service's i-th message, failing the test if it was refused.
func pushed(t *testing.T, svc *pushsvc.WebPush, i int) notify.PushPayload {
	t.Helper()
	m := svc.Messages()[i]
	var p notify.PushPayload
	if m.Err != "" || json.Unmarshal(m.Plaintext, &p) != nil {
		t.Fatalf("push %d: refused %q, plaintext %q", i, m.Err, m.Plaintext)
	}
	return p
}

// TestWebPushEndToEnd: a browser registered with POST /api/v1/devices receives, through a push
// service that verifies VAPID and decrypts, the contract's payload of an alarm its filter
// selects; the payload's ackUrl acknowledges the alarm (a form POST, as the service worker's Ack
// button does), which is pushed in turn; when the push service answers 410 the device is gone
// from GET /api/v1/devices.
func TestWebPushEndToEnd(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	edit, pub := withWebPush(true)
	key := "YWNrLWxpbmsta2V5LW9mLTMyLWJ5dGVzLW9yLW1vcmUh" // base64 of 33 bytes
	n := pulsenode.StartWith(t, func(c *config.Config) {
		edit(c)
		c.Notify.PublicURL, c.Notify.LinkKeys = "https://pulse.example.com", []string{key}
	}, pulsenode.FastNotify)

	status, env := n.Get("/api/v1/devices/vapid", nil)
	var vapid struct{ PublicKey string }
	if status != http.StatusOK || json.Unmarshal(env.Data, &vapid) != nil || vapid.PublicKey != pub {
		t.Fatalf("GET /api/v1/devices/vapid: %d %s", status, env.Data)
	}
	b := svc.NewBrowser()
	status, env = n.Post("/api/v1/devices", map[string]any{"platform": "webpush", "subscription": svc.Subscription(b),
		"levels": []string{"critical", "major"}})
	if status != http.StatusOK {
		t.Fatalf("register: %d %+v", status, env)
	}

	n.Raise(`{"items":[{"alarmId":"quiet","businessType":"meter","businessId":"m-1","level":"info","title":"not selected"}]}`)
	n.Raise(`{"items":[{"alarmId":"wp-1","businessType":"meter","businessId":"m-1","level":"critical","title":"Over-voltage"}]}`)
	poll.Eventually(t, func() bool { return len(svc.Messages()) >= 1 }, "nothing was pushed")
	p := pushed(t, svc, 0)
	if p.AlarmID != "wp-1" || p.Level != "critical" || p.Title != "Over-voltage" || p.BusinessType != "meter" ||
		p.BusinessID != "m-1" || p.Event != "raised" || p.Seq <= 0 || !strings.HasPrefix(p.AckURL, "https://pulse.example.com/ack/") {
		t.Fatalf("payload %+v", p)
	}
	if h := svc.Messages()[0].Header; h.Get("Urgency") != "high" || h.Get("Topic") != notify.CollapseID("meter", "m-1", "wp-1") {
		t.Errorf("Urgency %q, Topic %q", h.Get("Urgency"), h.Get("Topic"))
	}

	// The Ack button: a form POST to the link (here on the node: publicUrl is its public name).
	u, _ := url.Parse(p.AckURL)
	resp, err := http.Post(n.Base+u.Path, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Acknowledged as link:browsers:dev_") {
		t.Fatalf("POST ackUrl: %d\n%s", resp.StatusCode, page)
	}
	poll.Eventually(t, func() bool { return len(svc.Messages()) >= 2 }, "the acknowledgement was not pushed")
	// Every notification carries its link (on an acknowledged alarm it shows the alarm).
	if p := pushed(t, svc, 1); p.Event != "acked" || p.AlarmID != "wp-1" || p.AckURL == "" {
		t.Fatalf("second push %+v", p)
	}

	// The push service says the subscription is over: the device is removed.
	svc.Answer(b, http.StatusGone)
	n.Raise(`{"items":[{"alarmId":"wp-2","businessType":"meter","businessId":"m-1","level":"major","title":"Under-voltage"}]}`)
	poll.Eventually(t, func() bool {
		status, env := n.Get("/api/v1/devices", nil)
		return status == http.StatusOK && strings.Contains(string(env.Data), `"items":[]`)
	}, "the device is still registered after 410 Gone")
	for i := range svc.Messages()[:2] {
		if m := svc.Messages()[i]; m.Browser != b.ID {
			t.Errorf("push %d went to %q", i, m.Browser)
		}
	}
}

// TestWebPushRegistrationRefusesLocalEndpoints: without allowHttpEndpoints, a subscription whose
// endpoint is http, or https on a loopback or private address, is refused 400 at registration
// and nothing is sent to it.
func TestWebPushRegistrationRefusesLocalEndpoints(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	edit, _ := withWebPush(false)
	n := pulsenode.StartWith(t, edit, pulsenode.FastNotify)
	b := svc.NewBrowser()
	sub := svc.Subscription(b)
	for _, c := range []struct{ endpoint, says string }{
		{svc.Endpoint(b), "not https"}, // http://127.0.0.1:<port>/push/...
		{strings.Replace(svc.Endpoint(b), "http://", "https://", 1), "loopback"},
		{"https://localhost/push/x", "loopback"},
		{"https://10.0.0.7/push/x", "private"},
		{"https://169.254.169.254/latest", "link-local"},
	} {
		sub["endpoint"] = c.endpoint
		status, env := n.Post("/api/v1/devices", map[string]any{"platform": "webpush", "subscription": sub})
		if status != http.StatusBadRequest || !strings.Contains(env.Message, c.says) {
			t.Errorf("%s: %d %q; want 400 saying %q", c.endpoint, status, env.Message, c.says)
		}
	}
	n.Raise(`{"items":[{"alarmId":"wp-1","businessType":"meter","businessId":"m-1","level":"critical","title":"t"}]}`)
	if status, env := n.Get("/api/v1/devices", nil); status != http.StatusOK || !strings.Contains(string(env.Data), `"items":[]`) {
		t.Fatalf("devices: %d %s", status, env.Data)
	}
	if m := svc.Messages(); len(m) != 0 {
		t.Fatalf("the push service received %d requests", len(m))
	}
}
