package webpush_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
)

func TestCheckEndpointRefusesWhatPulseMustNotConnectTo(t *testing.T) {
	ctx := context.Background()
	strict := webpush.Policy{}
	for _, c := range []struct{ endpoint, says string }{
		{"http://8.8.8.8/push/1", "not https"},
		{"ftp://8.8.8.8/push/1", "not an https URL"},
		{"/push/1", "not an absolute URL"},
		{"https://user:pw@8.8.8.8/push/1", "user name"},
		{"https://127.0.0.1/push", "loopback"},
		{"https://127.9.9.9:8443/push", "loopback"},
		{"https://[::1]/push", "loopback"},
		{"https://localhost/push", "loopback"},
		{"https://10.1.2.3/push", "private"},
		{"https://172.16.0.1/push", "private"},
		{"https://192.168.1.1/push", "private"},
		{"https://[fd00::1]/push", "private"},
		{"https://100.64.0.1/push", "100.64.0.0/10"},
		{"https://169.254.169.254/latest/meta-data", "link-local"},
		{"https://[fe80::1]/push", "link-local"},
		{"https://0.0.0.0/push", "unspecified"},
		{"https://[::]/push", "unspecified"},
		{"https://224.0.0.1/push", "multicast"},
		{"https://[ff02::1]/push", "multicast"},
		{"https://[::ffff:127.0.0.1]/push", "loopback"},
		{"https://[::ffff:10.0.0.1]/push", "private"},
		{"https://[64:ff9b::a00:1]/push", "64:ff9b::/96"},
		{"https://255.255.255.255/push", "240.0.0.0/4"},
		{"https://no-such-host.invalid/push", "does not resolve"},
	} {
		err := strict.CheckEndpoint(ctx, c.endpoint)
		if err == nil || !errors.Is(err, webpush.ErrEndpoint) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want a refusal saying %q", c.endpoint, err, c.says)
		}
	}
	for _, ok := range []string{"https://8.8.8.8/push/1", "https://[2001:4860:4860::8888]/push", "https://1.1.1.1:8443/p?q=1"} {
		if err := strict.CheckEndpoint(ctx, ok); err != nil {
			t.Errorf("%s: %v; a public https endpoint must be taken", ok, err)
		}
	}
}

func TestCheckEndpointHosts(t *testing.T) {
	ctx := context.Background()
	// AllowHTTP so that no DNS is needed: the host list applies all the same.
	p := webpush.Policy{AllowHTTP: true, Hosts: []string{"*.push.apple.com", "fcm.googleapis.com"}}
	for _, ok := range []string{"https://web.push.apple.com/x", "https://FCM.googleapis.com/fcm/send/x", "https://a.b.push.apple.com./x"} {
		if err := p.CheckEndpoint(ctx, ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"https://push.apple.com/x", "https://evilpush.apple.com/x", "https://fcm.googleapis.com.evil.example/x", "https://push.apple.com.evil.example/x", "https://127.0.0.1/x"} {
		if err := p.CheckEndpoint(ctx, bad); err == nil || !strings.Contains(err.Error(), "endpointHosts") {
			t.Errorf("%s: %v; want a refusal naming endpointHosts", bad, err)
		}
	}
}

func TestAllowHTTPTakesLocalEndpoints(t *testing.T) {
	p := webpush.Policy{AllowHTTP: true}
	for _, ok := range []string{"http://127.0.0.1:8080/push", "http://10.0.0.1/push", "https://localhost/push"} {
		if err := p.CheckEndpoint(context.Background(), ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if err := p.CheckEndpoint(context.Background(), "ftp://127.0.0.1/push"); err == nil {
		t.Error("ftp was taken")
	}
}
