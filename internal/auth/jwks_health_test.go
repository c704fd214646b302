package auth

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// stoppableJWKS serves a JWKS at a fixed address that the test stops and starts again.
type stoppableJWKS struct {
	t       *testing.T
	addr    string
	handler http.Handler
	server  *http.Server
	ln      net.Listener
}

func newStoppableJWKS(t *testing.T, keys ...map[string]string) *stoppableJWKS {
	srv := newJWKSServer(t) // its handler, not its listener
	srv.serve(http.StatusOK, keys...)
	s := &stoppableJWKS{t: t, handler: srv.Config.Handler}
	s.start("127.0.0.1:0")
	t.Cleanup(s.stop)
	return s
}

func (s *stoppableJWKS) start(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	server := &http.Server{Handler: s.handler}
	s.server, s.ln = server, ln
	go func() { _ = server.Serve(ln) }()
}

// stop closes the listener itself too: a Close that comes before Serve has taken the listener
// leaves it open until Serve starts, and a dial meanwhile is reset rather than refused.
func (s *stoppableJWKS) stop() {
	_ = s.ln.Close()
	_ = s.server.Close()
}

// TestJWKSUnreachableIsSaid: a JWKS that cannot be fetched is logged (with the URL's host and the
// error, never its path or query, at most once per JWKSLogEvery), counted, shown in the status,
// and a token whose kid is unknown because of it is refused "signing keys unavailable"; when the
// provider is back, the log says so and the token verifies.
func TestJWKSUnreachableIsSaid(t *testing.T) {
	ctx := context.Background()
	idp := newStoppableJWKS(t, jwkOf(t, "a", keys.rsa))
	clk := newClock(start)
	v := clk.verifier(verifier(t, config.JWT{JWKSURL: "http://" + idp.addr + "/keys/jwks.json?access=query-secret"}))
	var mu sync.Mutex
	var logged []string
	v.LogJWKSFailures(func(m string) { mu.Lock(); defer mu.Unlock(); logged = append(logged, m) })
	lines := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), logged...) }

	idp.stop()
	if err := v.FetchJWKS(ctx); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("FetchJWKS with the provider down: %v", err)
	}
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], idp.addr) || !strings.Contains(l[0], "connection refused") ||
		strings.Contains(l[0], "query-secret") || strings.Contains(l[0], "/keys/") {
		t.Fatalf("log %q: want one line with the host and the error, without the path or query", l)
	}
	tokenA := mint(t, jwt.SigningMethodRS256, keys.rsa, claimsWith(jwt.MapClaims{"iss": nil, "aud": nil}), "a")
	_, err := v.Verify(ctx, tokenA)
	refused(t, "kid a while the JWKS cannot be fetched", tokenA, err, "signing keys unavailable")

	clk.advance(JWKSMinInterval) // a second failure: counted, not logged within the minute
	_, err = v.Verify(ctx, tokenA)
	refused(t, "kid a, second try", tokenA, err, "signing keys unavailable")
	status, ok := v.JWKS()
	if !ok || status.Failures != 2 || status.LastError == "" || !status.LastSuccess.IsZero() || status.Host != idp.addr ||
		!status.FailingFor.Equal(start) {
		t.Fatalf("status %+v, want 2 failures since start, no success, host %s", status, idp.addr)
	}
	if l := lines(); len(l) != 1 {
		t.Fatalf("logged %d lines within a minute, want 1: %q", len(l), l)
	}
	clk.advance(JWKSLogEvery)
	_ = v.FetchJWKS(ctx)
	if l := lines(); len(l) != 2 {
		t.Fatalf("logged %d lines after a minute, want 2: %q", len(l), l)
	}

	idp.start(idp.addr)
	clk.advance(JWKSMinInterval)
	if _, err := v.Verify(ctx, tokenA); err != nil {
		t.Fatalf("kid a once the provider is back: %v", err)
	}
	if l := lines(); len(l) != 3 || !strings.Contains(l[2], "works again") {
		t.Fatalf("log %q: want the recovery said", l)
	}
	if status, _ := v.JWKS(); status.LastError != "" || !status.LastSuccess.Equal(clk.now()) || status.Failures != 3 {
		t.Fatalf("status %+v after the recovery", status)
	}
	// While the JWKS is fetched, an unknown kid is a plain mismatch again.
	forged := mint(t, jwt.SigningMethodRS256, keys.rsa2, claimsWith(jwt.MapClaims{"iss": nil, "aud": nil}), "forged")
	_, err = v.Verify(ctx, forged)
	refused(t, "unknown kid while the JWKS is fetched", forged, err, "no configured key matches the token's kid and alg")
	if _, ok := verifier(t, config.JWT{HMACSecret: secret}).JWKS(); ok {
		t.Fatal("a verifier without jwksUrl reports a JWKS")
	}
}
