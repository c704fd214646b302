package middleware_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestUserRateOverTheServer: with auth.userRate 1 (burst 2), a user's third quick request on the
// routes for people is 429 with Retry-After and a message naming the key, never the token; another
// user, and the ingest routes, are not held back by it.
func TestUserRateOverTheServer(t *testing.T) {
	n := pulsenode.StartAuth(t, func(c *config.Config) { c.Auth.UserRate = 1 })
	everything := pulsenode.Grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true}
	alice, bob := pulsenode.Token(t, "alice", everything), pulsenode.Token(t, "bob", everything)
	for _, path := range []string{"/api/v1/alarms", "/api/v1/businesses"} {
		if status, env, _ := n.Call(http.MethodGet, path, pulsenode.Bearer(alice), ""); status != http.StatusOK {
			t.Fatalf("GET %s: %d %+v", path, status, env)
		}
	}
	status, env, h := n.Call(http.MethodGet, "/api/v1/alarms/nope/events", pulsenode.Bearer(alice), "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(env.Message, "auth.userRate") {
		t.Fatalf("third request: %d %+v Retry-After %q, want 429 naming auth.userRate with Retry-After", status, env, h.Get("Retry-After"))
	}
	if strings.Contains(env.Message, alice) || strings.Contains(env.Message, strings.Split(alice, ".")[1]) {
		t.Fatalf("the message shows the token: %s", env.Message)
	}
	if status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(bob), ""); status != http.StatusOK {
		t.Fatalf("bob: %d %+v, want 200: alice's rate is hers", status, env)
	}
	for range 3 {
		status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {pulsenode.IngestKey("broadcaster")}},
			`{"businessType":"meter","businessId":"m-1","data":{"v":1}}`)
		if status != http.StatusOK {
			t.Fatalf("ingest: %d %+v: the user rate does not count ingest keys", status, env)
		}
	}
}
