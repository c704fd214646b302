package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogf/gf/v2/os/glog"
	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// jwksServer serves a JWKS that the test replaces, and counts the requests for it.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	doc      []byte
	status   int
}

func newJWKSServer(t *testing.T) *jwksServer {
	s := &jwksServer{status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		doc, status := s.doc, s.status
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

// serve makes the server answer with these keys (JWK objects), or with status and no keys.
func (s *jwksServer) serve(status int, keys ...map[string]string) {
	doc, _ := json.Marshal(map[string]any{"keys": keys})
	s.mu.Lock()
	s.doc, s.status = doc, status
	s.mu.Unlock()
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwkOf is the JWK of key's public half, named kid.
func jwkOf(t testing.TB, kid string, key any) map[string]string {
	t.Helper()
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
	case *ecdsa.PrivateKey:
		pub, err := k.PublicKey.ECDH()
		if err != nil {
			t.Fatal(err)
		}
		xy := pub.Bytes()[1:] // 0x04 || x || y
		crv := map[int]string{256: "P-256", 384: "P-384", 521: "P-521"}[k.Curve.Params().BitSize]
		return map[string]string{"kty": "EC", "kid": kid, "crv": crv, "x": b64(xy[:len(xy)/2]), "y": b64(xy[len(xy)/2:])}
	case ed25519.PrivateKey:
		return map[string]string{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(k.Public().(ed25519.PublicKey))}
	}
	t.Fatalf("no JWK for %T", key)
	return nil
}

// clock is a settable time for a verifier shared by goroutines.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time                 { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration)        { c.ns.Add(int64(d)) }
func newClock(at time.Time) *clock              { c := &clock{}; c.ns.Store(at.UnixNano()); return c }
func (c *clock) verifier(v *Verifier) *Verifier { v.now = c.now; return v }

// TestJWKSRotation: keys come from the JWKS URL by kid; a key the provider adds is accepted
// without a restart, one it withdraws stops being accepted once the keys are refreshed, and
// unknown kids fetch the JWKS at most once per JWKSMinInterval (the server counts the requests).
func TestJWKSRotation(t *testing.T) {
	ctx := context.Background()
	srv := newJWKSServer(t)
	srv.serve(http.StatusOK, jwkOf(t, "a", keys.rsa))
	clk := newClock(start)
	v := clk.verifier(verifier(t, config.JWT{JWKSURL: srv.URL + "/jwks.json"}))
	token := func(method jwt.SigningMethod, key any, kid string) string {
		return mint(t, method, key, claimsWith(jwt.MapClaims{"iss": nil, "aud": nil}), kid)
	}
	accepted := func(name, token string) {
		t.Helper()
		if _, err := v.Verify(ctx, token); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	requests := func(want int64) {
		t.Helper()
		if got := srv.requests.Load(); got != want {
			t.Fatalf("%d requests for the JWKS, want %d", got, want)
		}
	}
	if srv.requests.Load() != 0 {
		t.Fatal("New fetched the JWKS: it must fetch on the first token")
	}
	accepted("kid a", token(jwt.SigningMethodRS256, keys.rsa, "a"))
	accepted("kid a again", token(jwt.SigningMethodRS512, keys.rsa, "a"))
	requests(1)

	// The provider adds kid b: within the interval it is not fetched yet; after it, it is.
	srv.serve(http.StatusOK, jwkOf(t, "a", keys.rsa), jwkOf(t, "b", keys.ec256), jwkOf(t, "c", keys.ed))
	tokenB := token(jwt.SigningMethodES256, keys.ec256, "b")
	_, err := v.Verify(ctx, tokenB)
	refused(t, "kid b within the interval", tokenB, err, "no configured key matches the token's kid and alg")
	requests(1)
	clk.advance(JWKSMinInterval)
	accepted("kid b after the interval", tokenB)
	accepted("kid c", token(jwt.SigningMethodEdDSA, keys.ed, "c"))
	requests(2)

	// A flood of unknown kids, at once and in turn: one fetch per interval.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			forged := token(jwt.SigningMethodRS256, keys.rsa2, fmt.Sprintf("forged-%d", i))
			if _, err := v.Verify(ctx, forged); err == nil {
				t.Errorf("forged kid %d accepted", i)
			}
		}()
	}
	wg.Wait()
	requests(2) // the interval since the last fetch has not passed
	clk.advance(JWKSMinInterval)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = v.Verify(ctx, token(jwt.SigningMethodRS256, keys.rsa2, fmt.Sprintf("forged-%d", i)))
		}()
	}
	wg.Wait()
	requests(3)

	// A kid's alg must be the key's: kid a (RSA) does not verify an ES256 token, even signed right.
	_, err = v.Verify(ctx, token(jwt.SigningMethodES256, keys.ec256, "a"))
	refused(t, "ES256 under an RSA kid", "", err, "no configured key matches the token's kid and alg")

	// The provider withdraws kid a. Known keys serve until they are JWKSMaxAge old, then the
	// next use fetches again, and kid a is refused.
	srv.serve(http.StatusOK, jwkOf(t, "b", keys.ec256))
	accepted("kid a before the keys are old", token(jwt.SigningMethodRS256, keys.rsa, "a"))
	clk.advance(JWKSMaxAge)
	tokenA := token(jwt.SigningMethodRS256, keys.rsa, "a")
	_, err = v.Verify(ctx, tokenA)
	refused(t, "withdrawn kid a", tokenA, err, "no configured key matches the token's kid and alg")
	accepted("kid b", tokenB)
	requests(4)

	// The provider fails: the keys known so far still verify.
	srv.serve(http.StatusInternalServerError)
	clk.advance(JWKSMaxAge)
	accepted("kid b while the JWKS fails", tokenB)
	requests(5)
}

// TestJWKSKeysPulseCannotUse: symmetric, encryption and malformed keys of a JWKS are skipped, the
// rest serve; a key's alg narrows what it verifies; HS256 is never a JWKS algorithm.
func TestJWKSKeysPulseCannotUse(t *testing.T) {
	ctx := context.Background()
	srv := newJWKSServer(t)
	narrow := jwkOf(t, "narrow", keys.rsa2)
	narrow["alg"] = "RS384"
	enc := jwkOf(t, "enc", keys.rsa)
	enc["use"] = "enc"
	badEC := jwkOf(t, "bad-ec", keys.ec256)
	badEC["x"] = badEC["x"][:10]
	srv.serve(http.StatusOK,
		map[string]string{"kty": "oct", "kid": "sym", "k": b64([]byte(secret))},
		enc, badEC, narrow,
		map[string]string{"kty": "RSA", "kid": "weak", "n": b64([]byte{1, 2, 3}), "e": "AQAB"},
		jwkOf(t, "ok", keys.ec384),
	)
	v := newClock(start).verifier(verifier(t, config.JWT{JWKSURL: srv.URL}))
	claims := claimsWith(jwt.MapClaims{"iss": nil, "aud": nil})
	for _, c := range []struct {
		name, token, why string
	}{
		{"HS256 under an oct kid", mint(t, jwt.SigningMethodHS256, []byte(secret), claims, "sym"), "the token's alg is not allowed"},
		{"encryption key", mint(t, jwt.SigningMethodRS256, keys.rsa, claims, "enc"), "no configured key matches"},
		{"malformed EC key", mint(t, jwt.SigningMethodES256, keys.ec256, claims, "bad-ec"), "no configured key matches"},
		{"RS256 under an RS384 key", mint(t, jwt.SigningMethodRS256, keys.rsa2, claims, "narrow"), "no configured key matches"},
	} {
		_, err := v.Verify(ctx, c.token)
		refused(t, c.name, c.token, err, c.why)
	}
	for name, token := range map[string]string{
		"RS384 under its RS384 key":  mint(t, jwt.SigningMethodRS384, keys.rsa2, claims, "narrow"),
		"ES384":                      mint(t, jwt.SigningMethodES384, keys.ec384, claims, "ok"),
		"no kid: every key is tried": mint(t, jwt.SigningMethodES384, keys.ec384, claims, ""),
	} {
		if _, err := v.Verify(ctx, token); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestNoTokenInTheLog: refusals logged as the doors will log them (glog and the standard log)
// never show the token, nor any of its parts.
func TestNoTokenInTheLog(t *testing.T) {
	var out bytes.Buffer
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	glog.SetWriter(w)
	glog.SetStdoutPrint(false)
	log.SetOutput(w)
	t.Cleanup(func() { glog.SetWriter(nil); glog.SetStdoutPrint(true); log.SetOutput(io.Discard) })

	srv := newJWKSServer(t)
	srv.serve(http.StatusOK, jwkOf(t, "a", keys.rsa))
	cfg := fullConfig(t)
	cfg.JWKSURL = srv.URL
	v := verifier(t, cfg)
	var tokens []string
	for _, with := range []jwt.MapClaims{
		{"exp": start.Add(-time.Hour).Unix()}, {"iss": "x"}, {"aud": "x"}, {"nbf": start.Add(time.Hour).Unix()},
		{"pulse": map[string]any{"rowdata": []string{"a/b/c"}}}, {"sub": nil},
	} {
		tokens = append(tokens, mint(t, jwt.SigningMethodHS256, []byte(secret), claimsWith(with), ""),
			mint(t, jwt.SigningMethodRS256, keys.rsa, claimsWith(with), "a"))
	}
	good := mint(t, jwt.SigningMethodHS256, []byte(secret), claimsWith(nil), "")
	tokens = append(tokens, good[:len(good)-4]+"AAAA", good+"x", "Bearer "+good, strings.ReplaceAll(good, ".", ""),
		mint(t, jwt.SigningMethodRS256, keys.rsa2, claimsWith(nil), "unknown"),
		mint(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsWith(nil), ""))
	ctx := context.Background()
	for _, token := range tokens {
		_, err := v.Verify(ctx, token)
		if err == nil {
			t.Fatalf("accepted a bad token")
		}
		glog.Warningf(ctx, "refused a token: %v", err)
		log.Printf("refused a token: %v", err)
	}
	mu.Lock()
	logged := out.String()
	mu.Unlock()
	if strings.Count(logged, "invalid credentials") != 2*len(tokens) {
		t.Fatalf("the log was not captured:\n%s", logged)
	}
	for _, token := range append(tokens, secret) {
		for _, part := range append(strings.Split(token, "."), token) {
			if len(part) >= 8 && strings.Contains(logged, part) {
				t.Fatalf("the log shows a token or the secret:\n%s", logged)
			}
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
