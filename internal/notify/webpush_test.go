package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

func webPushOutlet(t *testing.T, cfg OutletConfig) *WebPush {
	t.Helper()
	pub, priv, err := webpush.GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Name, cfg.Type, cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey = "browsers", "webpush", pub, priv
	if cfg.Subject == "" {
		cfg.Subject = "mailto:ops@example.com"
	}
	o, err := NewOutlet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o.(*WebPush)
}

// browserDevice is a webpush device whose subscription is b's on svc.
func browserDevice(svc *pushsvc.WebPush, b *pushsvc.Browser) *device.Device {
	return subscriptionDevice(svc.Subscription(b))
}

func subscriptionDevice(sub any) *device.Device {
	raw, _ := json.Marshal(sub)
	d := &device.Device{ID: "dev_test", Platform: device.WebPush, Subscription: &device.Subscription{}}
	_ = json.Unmarshal(raw, d.Subscription)
	return d
}

// TestWebPushPayload: a push service that verifies VAPID and decrypts receives the contract's
// payload (PushPayloadOf: the group's newest alarm), Urgency high for a critical one, the
// alarm's Topic.
func TestWebPushPayload(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	b := svc.NewBrowser()
	o := webPushOutlet(t, OutletConfig{AllowHTTPEndpoints: true})
	minor := testAlarm("a-2", "minor", "Under-voltage")
	if err := o.SendDevice(context.Background(), browserDevice(svc, b), testNotification("raised", minor, testAlarm("a-1", "critical", "Over-voltage"))); err != nil {
		t.Fatalf("send: %v; service got %+v", err, svc.Messages())
	}
	if err := o.SendDevice(context.Background(), browserDevice(svc, b), testNotification("cleared", minor)); err != nil {
		t.Fatal(err)
	}
	m := svc.Messages()
	if len(m) != 2 || m[0].Err != "" || m[1].Err != "" {
		t.Fatalf("the push service got %+v", m)
	}
	var p map[string]any
	if err := json.Unmarshal(m[0].Plaintext, &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"alarmId": "a-1", "seq": 7.0, "level": "critical", "title": "Over-voltage (+1 more)", "businessType": "meter",
		"businessId": "m-001", "event": "raised", "ackUrl": "https://pulse.example.com/ack/tok-a-1"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("payload %s = %v, want %v (payload %s)", k, p[k], v, m[0].Plaintext)
		}
	}
	if h := m[0].Header; h.Get("Urgency") != "high" || h.Get("Topic") != CollapseID("meter", "m-001", "a-1") || h.Get("TTL") != "86400" {
		t.Errorf("critical: Urgency %q Topic %q TTL %q", h.Get("Urgency"), h.Get("Topic"), h.Get("TTL"))
	}
	if h := m[1].Header; h.Get("Urgency") != "normal" || h.Get("Topic") != CollapseID("meter", "m-001", "a-2") {
		t.Errorf("minor: Urgency %q Topic %q", h.Get("Urgency"), h.Get("Topic"))
	}
}

// TestWebPushAnswers: 404 and 410 say the subscription is gone (the registry removes the
// device), 429 is retried after Retry-After, 5xx retried, other 4xx permanent; no error shows
// the endpoint's path (it identifies the subscription).
func TestWebPushAnswers(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	o := webPushOutlet(t, OutletConfig{AllowHTTPEndpoints: true})
	for _, c := range []struct {
		status          int
		gone, permanent bool
	}{{404, true, true}, {410, true, true}, {413, false, true}, {429, false, false}, {500, false, false}, {302, false, true}} {
		b := svc.NewBrowser()
		svc.Answer(b, c.status)
		err := o.SendDevice(context.Background(), browserDevice(svc, b), testNotification("raised", testAlarm("a-1", "major", "x")))
		var e *SendError
		if !errors.As(err, &e) || e.Status != c.status || e.Gone != c.gone || e.Permanent != c.permanent {
			t.Errorf("%d: %#v", c.status, err)
			continue
		}
		if strings.Contains(e.Error(), b.ID) || e.Where != svc.URL {
			t.Errorf("%d: the error %q shows the endpoint's path, or Where %q is not %q", c.status, e.Error(), e.Where, svc.URL)
		}
	}
}

// TestWebPushRefusesEndpointsAtSend: an outlet without allowHttpEndpoints sends nothing to an
// http endpoint or to a host outside endpointHosts, even when such a device is registered (the
// configuration may have changed since): a permanent failure, nothing reaches the service.
func TestWebPushRefusesEndpointsAtSend(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	b := svc.NewBrowser()
	for _, cfg := range []OutletConfig{{}, {AllowHTTPEndpoints: true, EndpointHosts: []string{"*.push.apple.com"}}} {
		o := webPushOutlet(t, cfg)
		err := o.SendDevice(context.Background(), browserDevice(svc, b), testNotification("raised", testAlarm("a-1", "major", "x")))
		var e *SendError
		if !errors.As(err, &e) || !e.Permanent || e.Gone {
			t.Errorf("%+v: %#v; want a permanent refusal", cfg, err)
		}
	}
	if m := svc.Messages(); len(m) != 0 {
		t.Fatalf("the service received %d requests", len(m))
	}
}

func TestWebPushConfigRefusals(t *testing.T) {
	pub, priv, _ := webpush.GenerateVAPID()
	for _, c := range []struct {
		cfg  OutletConfig
		says string
	}{
		{OutletConfig{Type: "webpush", VAPIDPrivateKey: priv, Subject: "mailto:a@b"}, "vapidPublicKey"},
		{OutletConfig{Type: "webpush", VAPIDPublicKey: pub, VAPIDPrivateKey: priv}, "subject"},
		{OutletConfig{Type: "webpush", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, Subject: "ops@example.com"}, "subject"},
		{OutletConfig{Type: "webpush", VAPIDPublicKey: pub, VAPIDPrivateKey: pub, Subject: "mailto:a@b"}, "vapidPrivateKey"},
	} {
		if _, err := NewOutlet(c.cfg); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v; want an error naming %s", c.cfg, err, c.says)
		} else if strings.Contains(err.Error(), priv) {
			t.Errorf("the error shows the private key: %v", err)
		}
	}
}

// nodePushLine is what testdata/node/pushservice.mjs prints per request.
type nodePushLine struct {
	Plaintext, Urgency, Topic, TTL, Error string
}

// TestWebPushDecryptsWithHTTPECE: a message Pulse encrypted decrypts with the npm package
// http_ece (what the web-push package uses) and its VAPID JWT verifies with Node's crypto: an
// implementation independent of Pulse's (testdata/node/pushservice.mjs).
func TestWebPushDecryptsWithHTTPECE(t *testing.T) {
	dir, err := filepath.Abs("testdata/node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		testsvc.Missing(t, "Node.js", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "http_ece")); err != nil {
		testsvc.Missing(t, "the npm package http_ece (hack/npm-ci.sh internal/notify/testdata/node)", err)
	}
	cmd := exec.Command("node", "pushservice.mjs")
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "subscription ") {
		t.Fatalf("the node push service did not start: %q", sc.Text())
	}
	var sub map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(sc.Text(), "subscription ")), &sub); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []nodePushLine
	go func() {
		for sc.Scan() {
			var l nodePushLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				mu.Lock()
				lines = append(lines, l)
				mu.Unlock()
			}
		}
	}()
	o := webPushOutlet(t, OutletConfig{AllowHTTPEndpoints: true})
	long := strings.Repeat("Ü", 120) // multi-byte text, within the 256 bytes of a push title
	for _, a := range []Alarm{testAlarm("a-1", "critical", "Über-voltage ⚡"), testAlarm("a-2", "info", long)} {
		if err := o.SendDevice(context.Background(), subscriptionDevice(sub), testNotification("raised", a)); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	got := func() []nodePushLine { mu.Lock(); defer mu.Unlock(); return append([]nodePushLine(nil), lines...) }
	poll.Eventually(t, func() bool { return len(got()) >= 2 }, "the node push service printed %d lines", len(got()))
	for i, l := range got() {
		var p PushPayload
		if l.Error != "" || json.Unmarshal([]byte(l.Plaintext), &p) != nil {
			t.Fatalf("message %d: node says %+v", i, l)
		}
		if want := []string{"Über-voltage ⚡", long}[i]; p.Title != want || p.Event != "raised" || p.BusinessType != "meter" {
			t.Errorf("message %d decrypted to %+v", i, p)
		}
	}
	if l := got()[0]; l.Urgency != "high" || l.Topic != CollapseID("meter", "m-001", "a-1") {
		t.Errorf("headers seen by node: %+v", l)
	}
}

// TestWebPushCheckDevice: a registration's endpoint and keys are checked by the outlet that will
// send to it (the device API answers 400 with the message).
func TestWebPushCheckDevice(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	good := browserDevice(svc, svc.NewBrowser())
	strict, local := webPushOutlet(t, OutletConfig{}), webPushOutlet(t, OutletConfig{AllowHTTPEndpoints: true})
	if err := local.CheckDevice(good); err != nil {
		t.Fatalf("allowHttpEndpoints: a local endpoint is refused: %v", err)
	}
	if err := strict.CheckDevice(good); err == nil || !strings.Contains(err.Error(), "subscription.endpoint") {
		t.Fatalf("without allowHttpEndpoints: %v", err)
	}
	badKeys := browserDevice(svc, svc.NewBrowser())
	badKeys.Subscription.Keys.Auth = "c2hvcnQ"
	if err := local.CheckDevice(badKeys); err == nil || !strings.Contains(err.Error(), "auth") {
		t.Fatalf("a 5-byte auth secret: %v", err)
	}
}

// TestCollapseIDIsTheContractsTopic: computed with
// printf 'meter/m-1/over-voltage' | openssl dgst -sha256 -binary | basenc --base64url | cut -c1-32
func TestCollapseIDIsTheContractsTopic(t *testing.T) {
	if got := CollapseID("meter", "m-1", "over-voltage"); got != "p9ulIZOeCEOqjfeAKmpqb4CM6zzL4Io5" {
		t.Fatalf("CollapseID %q", got)
	}
}
