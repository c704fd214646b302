package auth_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// signClaims signs payload, a claims set written by hand, with HS256 and AuthSecret.
func signClaims(t testing.TB, payload string) string {
	t.Helper()
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(unsigned, []byte(pulsenode.AuthSecret))
	if err != nil {
		t.Fatal(err)
	}
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestClaimsReadExactlyOverTheServer: the forgeries the issue found (SUB for sub, EXP for exp, a
// quoted exp, a second sub) are 401 on the alarm API and at the door, and "Pulse" grants nothing.
func TestClaimsReadExactlyOverTheServer(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	exp := time.Now().Add(time.Hour).Unix()
	const grants = `"pulse":{"rowdata":["*"],"alarms":["*"],"ack":true}`
	for _, c := range []struct{ name, payload, why string }{
		{"SUB and no sub", fmt.Sprintf(`{"SUB":"carol","iss":"pulse-test","aud":"pulse","exp":%d,%s}`, exp, grants), "the token has no sub"},
		{"EXP and no exp", fmt.Sprintf(`{"sub":"carol","iss":"pulse-test","aud":"pulse","EXP":%d,%s}`, exp, grants), "the token has no exp"},
		{"exp a string", fmt.Sprintf(`{"sub":"carol","iss":"pulse-test","aud":"pulse","exp":"9999999999",%s}`, grants), "the token's exp is not a JSON number"},
		{"duplicate sub", fmt.Sprintf(`{"sub":"mallory","sub":"carol","iss":"pulse-test","aud":"pulse","exp":%d,%s}`, exp, grants), `duplicate key "sub"`},
		{"duplicate in pulse", fmt.Sprintf(`{"sub":"carol","iss":"pulse-test","aud":"pulse","exp":%d,"pulse":{"alarms":[],"alarms":["*"]}}`, exp), `pulse: duplicate key "alarms"`},
	} {
		tok := signClaims(t, c.payload)
		status, env, h := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(tok), "")
		if status != http.StatusUnauthorized || !strings.Contains(env.Message, c.why) || h.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%s: GET /api/v1/alarms: %d %+v, want 401 saying %q", c.name, status, env, c.why)
		}
		status, env, _ = n.Refused("/ws/alarm", pulsenode.Bearer(tok))
		if status != http.StatusUnauthorized || !strings.Contains(env.Message, c.why) {
			t.Errorf("%s: /ws/alarm: %d %+v, want 401 saying %q", c.name, status, env, c.why)
		}
	}

	// "Pulse" is not the pulse claim: the token verifies and grants nothing.
	tok := signClaims(t, fmt.Sprintf(`{"sub":"carol","iss":"pulse-test","aud":"pulse","exp":%d,"Pulse":{"alarms":["*"],"ack":true}}`, exp))
	if status, env, _ := n.Refused("/ws/alarm", pulsenode.Bearer(tok)); status != http.StatusForbidden {
		t.Errorf("Pulse for pulse: /ws/alarm: %d %+v, want 403", status, env)
	}
}
