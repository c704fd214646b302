package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// identityProvider serves a JWKS holding its own RSA key at a fixed address, and can be stopped
// and started again there.
type identityProvider struct {
	t      *testing.T
	key    *rsa.PrivateKey
	addr   string
	doc    []byte
	mu     sync.Mutex
	server *http.Server
}

// newIdentityProvider reserves an address and does not listen on it yet.
func newIdentityProvider(t *testing.T) *identityProvider {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	private, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key := &private.PublicKey
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	doc, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "idp-1", "use": "sig", "alg": "RS256",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	p := &identityProvider{t: t, key: private, addr: ln.Addr().String(), doc: doc}
	_ = ln.Close()
	t.Cleanup(p.stop)
	return p
}

func (p *identityProvider) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(p.doc)
	})}
	p.mu.Lock()
	p.server = server
	p.mu.Unlock()
	go func() { _ = server.Serve(ln) }()
}

func (p *identityProvider) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.server != nil {
		_ = p.server.Close()
	}
}

// TestJWKSUnreachableOverTheServer: a node whose identity provider is down at its start logs it
// (host and error, not the URL's query), shows it in /readyz's checks as jwks while staying ready,
// counts it in /metrics, and refuses a token of the provider's 401 "signing keys unavailable";
// once the provider is up, the token is accepted and jwks is ok.
func TestJWKSUnreachableOverTheServer(t *testing.T) {
	log := captureLog(t).String

	idp := newIdentityProvider(t) // down
	n := pulsenode.StartAuth(t, func(c *config.Config) {
		c.Auth.JWT.JWKSURL = "http://" + idp.addr + "/jwks.json?client_secret=query-secret"
	})
	poll.Eventually(t, func() bool { return strings.Contains(log(), "fetching the signing keys from "+idp.addr+" failed") },
		"the start log does not say that the JWKS cannot be fetched:\n%s", log())
	if strings.Contains(log(), "query-secret") || strings.Contains(log(), "/jwks.json") {
		t.Fatalf("the log shows the URL's path or query:\n%s", log())
	}

	withKid := func() string { // the provider's tokens name its kid
		tk := jwt.NewWithClaims(jwt.SigningMethodRS256, pulsenode.Claims("alice", pulsenode.Grants{Alarms: []string{"*"}}))
		tk.Header["kid"] = "idp-1"
		s, err := tk.SignedString(idp.key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(withKid), "")
	if status != http.StatusUnauthorized || !strings.Contains(env.Message, "signing keys unavailable") {
		t.Fatalf("a token of the provider while it is down: %d %+v, want 401 signing keys unavailable", status, env)
	}
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	status, env = n.Get("/readyz", nil)
	if status != http.StatusOK || json.Unmarshal(env.Data, &ready) != nil || !strings.Contains(ready.Checks["jwks"], "fetching the signing keys from "+idp.addr+" fails since") {
		t.Fatalf("/readyz while the provider is down: %d %s, want 200 with checks.jwks saying it fails", status, env.Data)
	}
	if s := n.Scrape(); s.Value(t, "pulse_jwks_fetch_failures_total") < 1 || s.Value(t, "pulse_jwks_last_success_timestamp_seconds") != 0 {
		t.Fatalf("metrics: failures %v, last success %v", s.Value(t, "pulse_jwks_fetch_failures_total"), s.Value(t, "pulse_jwks_last_success_timestamp_seconds"))
	}

	idp.start()
	poll.Eventually(t, func() bool { // the next fetch, JWKSMinInterval after the last
		status, _, _ := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(withKid), "")
		return status == http.StatusOK
	}, "the provider's token is still refused once it is up")
	status, env = n.Get("/readyz", nil)
	if status != http.StatusOK || json.Unmarshal(env.Data, &ready) != nil || ready.Checks["jwks"] != "ok" {
		t.Fatalf("/readyz once the provider is up: %d %s, want checks.jwks ok", status, env.Data)
	}
	if n.Scrape().Value(t, "pulse_jwks_last_success_timestamp_seconds") == 0 {
		t.Fatal("pulse_jwks_last_success_timestamp_seconds is 0 after a fetch")
	}
	if !strings.Contains(log(), "works again") {
		t.Fatalf("the log does not say the provider is back:\n%s", log())
	}
}
