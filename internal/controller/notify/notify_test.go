package notify_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestNotifyTestEndpoint: POST /api/v1/notify/test sends a test notification and answers what the
// receiver said; an unknown outlet is 404.
func TestNotifyTestEndpoint(t *testing.T) {
	ok, refusing := pulsenode.NewReceiver(t), pulsenode.NewReceiver(t)
	refusing.Answer = func(int, pulsenode.HookCall) (int, http.Header) { return http.StatusForbidden, nil }
	n := pulsenode.StartWith(t, pulsenode.WithNotify([]notify.Route{{Name: "r", To: []string{"hook0"}}}, ok, refusing), pulsenode.FastNotify)
	env := n.MustPost("/api/v1/notify/test", `{"outlet":"hook0"}`)
	if !strings.Contains(string(env.Data), `"ok":true`) || len(ok.Calls()) != 1 || ok.Calls()[0].Body.Type != "alarm.test" || !ok.Calls()[0].Signed {
		t.Errorf("test of hook0: %s, calls %+v", env.Data, ok.Calls())
	}
	env = n.MustPost("/api/v1/notify/test", `{"outlet":"hook1"}`)
	if !strings.Contains(string(env.Data), `"ok":false`) || !strings.Contains(string(env.Data), `"status":403`) || strings.Contains(string(env.Data), "secret") {
		t.Errorf("test of hook1: %s", env.Data)
	}
	if status, env := n.Post("/api/v1/notify/test", `{"outlet":"nope"}`); status != http.StatusNotFound {
		t.Errorf("unknown outlet: %d %+v", status, env)
	}
	if status, env := n.Post("/api/v1/notify/test", `{}`); status != http.StatusBadRequest {
		t.Errorf("no outlet: %d %+v", status, env)
	}
}
