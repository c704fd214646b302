package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// secret is the HMAC secret of the tests.
const secret = "test-secret-of-at-least-32-bytes-0123456789"

// start is the tests' clock: tokens are minted relative to it and verifiers read it.
var start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// keys are the tests' key pairs, made once.
var keys = struct {
	rsa, rsa2 *rsa.PrivateKey
	ec256     *ecdsa.PrivateKey
	ec384     *ecdsa.PrivateKey
	ed        ed25519.PrivateKey
}{}

func TestMain(m *testing.M) {
	var err error
	if keys.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if keys.rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if keys.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if keys.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		panic(err)
	}
	if _, keys.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// publicPEM is key's public half as PEM text.
func publicPEM(t testing.TB, key any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// claims are a valid token's claims at start; with replaces or (nil values) removes some.
func claimsWith(with jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub":   "alice",
		"iss":   "https://idp.example/",
		"aud":   []string{"other", "pulse"},
		"iat":   start.Add(-time.Minute).Unix(),
		"exp":   start.Add(time.Hour).Unix(),
		"pulse": map[string]any{"rowdata": []string{"meter/*", "pump/p-7"}, "alarms": []string{"*"}, "ack": true},
	}
	for k, v := range with {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// mint signs claims with method and key; kid, when given, goes in the header.
func mint(t testing.TB, method jwt.SigningMethod, key any, claims jwt.Claims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifier builds the Verifier of cfg, its clock at start.
func verifier(t testing.TB, cfg config.JWT) *Verifier {
	t.Helper()
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return start }
	return v
}

// fullConfig has every static key source, an issuer, an audience and the default leeway.
func fullConfig(t testing.TB) config.JWT {
	rsaFile := filepath.Join(t.TempDir(), "rsa.pem")
	if err := os.WriteFile(rsaFile, []byte(publicPEM(t, &keys.rsa.PublicKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.JWT{
		HMACSecret: secret,
		PublicKeys: []string{rsaFile, publicPEM(t, &keys.ec256.PublicKey), publicPEM(t, &keys.ec384.PublicKey), publicPEM(t, keys.ed.Public())},
		Issuer:     "https://idp.example/",
		Audience:   "pulse",
		Leeway:     30 * time.Second,
	}
}

// TestAlgorithmsAccepted: tokens of every kind of configured key verify, and carry their grants.
func TestAlgorithmsAccepted(t *testing.T) {
	v := verifier(t, fullConfig(t))
	for _, c := range []struct {
		method jwt.SigningMethod
		key    any
	}{
		{jwt.SigningMethodHS256, []byte(secret)},
		{jwt.SigningMethodHS384, []byte(secret)},
		{jwt.SigningMethodHS512, []byte(secret)},
		{jwt.SigningMethodRS256, keys.rsa},
		{jwt.SigningMethodRS384, keys.rsa},
		{jwt.SigningMethodRS512, keys.rsa},
		{jwt.SigningMethodES256, keys.ec256},
		{jwt.SigningMethodES384, keys.ec384},
		{jwt.SigningMethodEdDSA, keys.ed},
	} {
		id, err := v.Verify(context.Background(), mint(t, c.method, c.key, claimsWith(nil), ""))
		if err != nil {
			t.Errorf("%s: %v", c.method.Alg(), err)
			continue
		}
		want := Identity{Sub: "alice", Expires: start.Add(time.Hour), Ack: true,
			RowData: []model.Pattern{{Type: "meter", ID: "*"}, {Type: "pump", ID: "p-7"}}, Alarms: []model.Pattern{{}}}
		if id.Sub != want.Sub || !id.Expires.Equal(want.Expires) || id.Ack != want.Ack ||
			!equalPatterns(id.RowData, want.RowData) || !equalPatterns(id.Alarms, want.Alarms) {
			t.Errorf("%s: %+v, want %+v", c.method.Alg(), id, want)
		}
	}
	if v.Leeway() != 30*time.Second {
		t.Fatal(v.Leeway())
	}
}

func equalPatterns(a, b []model.Pattern) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// refused asserts that err is a refusal of credentials saying why, without token in its message.
func refused(t *testing.T, name, token string, err error, why string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: accepted, want refused (%s)", name, why)
	case !errors.Is(err, ErrInvalidCredentials):
		t.Errorf("%s: %v is not of kind ErrInvalidCredentials", name, err)
	case !strings.Contains(err.Error(), why):
		t.Errorf("%s: %q, want it to say %q", name, err, why)
	}
	if err != nil && token != "" {
		for _, part := range append(strings.Split(token, "."), token) {
			if len(part) >= 8 && strings.Contains(err.Error(), part) {
				t.Errorf("%s: the message shows the token: %v", name, err)
			}
		}
	}
}

// TestRefusals: every refusal of the contract's table, each of kind ErrInvalidCredentials and
// with a message that does not contain the token.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	cfg := fullConfig(t)
	v := verifier(t, cfg)
	hs := func(with jwt.MapClaims) string {
		return mint(t, jwt.SigningMethodHS256, []byte(secret), claimsWith(with), "")
	}
	valid := hs(nil)
	parts := strings.Split(valid, ".")
	head, payload, sig := parts[0], parts[1], parts[2]
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsWith(jwt.MapClaims{"sub": "mallory"})).SigningString()
	_, forgedPayload, _ := strings.Cut(forged, ".")
	none := mint(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsWith(nil), "")
	rsaPEM := []byte(publicPEM(t, &keys.rsa.PublicKey))
	flip := func(s string, i int) string { // another base64url character at i
		b := []byte(s)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		return string(b)
	}
	for _, c := range []struct{ name, token, why string }{
		{"missing", "", "no token"},
		{"one segment", "abcdefghijklmnop", "the token is malformed"},
		{"not base64", "@@@@@@@@.@@@@@@@@.@@@@@@@@", "the token is malformed"},
		{"not JSON", base64.RawURLEncoding.EncodeToString([]byte("header!!")) + "." + payload + "." + sig, "the token is malformed"},
		{"four segments", valid + ".abcdefgh", "the token is malformed"},
		{"tampered signature", head + "." + payload + "." + flip(sig, len(sig)/2), "the token's signature does not verify"},
		{"tampered payload", head + "." + forgedPayload + "." + sig, "the token's signature does not verify"},
		{"no signature", head + "." + payload + ".", "the token's signature does not verify"},
		{"expired", hs(jwt.MapClaims{"exp": start.Add(-31 * time.Second).Unix()}), "the token has expired"},
		{"at exp + leeway", hs(jwt.MapClaims{"exp": start.Add(-30 * time.Second).Unix()}), "the token has expired"},
		{"no exp", hs(jwt.MapClaims{"exp": nil}), "the token has no exp"},
		{"nbf in the future", hs(jwt.MapClaims{"nbf": start.Add(31 * time.Second).Unix()}), "the token is not valid yet"},
		{"iat in the future", hs(jwt.MapClaims{"iat": start.Add(time.Hour).Unix()}), "the token is issued in the future"},
		{"wrong iss", hs(jwt.MapClaims{"iss": "https://evil.example/"}), "the token's iss is not the configured issuer"},
		{"no iss", hs(jwt.MapClaims{"iss": nil}), "the token's iss is not the configured issuer"},
		{"wrong aud", hs(jwt.MapClaims{"aud": "other"}), "the token's aud does not contain the configured audience"},
		{"no aud", hs(jwt.MapClaims{"aud": nil}), "the token's aud does not contain the configured audience"},
		{"no sub", hs(jwt.MapClaims{"sub": nil}), "the token has no sub"},
		{"alg none", none, "the token's alg is not allowed"},
		{"unknown alg", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"XX512","typ":"JWT"}`)) + "." + payload + "." + sig, "the token's alg is not allowed"},
		{"PS256 not configured", mint(t, jwt.SigningMethodPS256, keys.rsa, claimsWith(nil), ""), "the token's alg is not allowed"},
		{"HS256 signed with the RSA public key", mint(t, jwt.SigningMethodHS256, rsaPEM, claimsWith(nil), ""), "the token's signature does not verify"},
		{"HS256 with another secret", mint(t, jwt.SigningMethodHS256, []byte(secret+"x"), claimsWith(nil), ""), "the token's signature does not verify"},
		{"RS256 of another key", mint(t, jwt.SigningMethodRS256, keys.rsa2, claimsWith(nil), ""), "the token's signature does not verify"},
		{"pulse not an object", hs(jwt.MapClaims{"pulse": "everything"}), "the pulse claim must be"},
		{"rowdata not a list", hs(jwt.MapClaims{"pulse": map[string]any{"rowdata": "meter/*"}}), "pulse.rowdata is not a list of business patterns"},
		{"bad pattern", hs(jwt.MapClaims{"pulse": map[string]any{"alarms": []string{"*", "meter"}}}), "pulse.alarms[1] is not a business pattern"},
		{"pattern with a wildcard type", hs(jwt.MapClaims{"pulse": map[string]any{"rowdata": []string{"*/x"}}}), "pulse.rowdata[0] is not a business pattern"},
		{"ack not a bool", hs(jwt.MapClaims{"pulse": map[string]any{"ack": "yes"}}), "ack is not true or false"},
	} {
		_, err := v.Verify(ctx, c.token)
		refused(t, c.name, c.token, err, c.why)
	}

	// Only the RSA public key configured: HS256 is not one of its algorithms, so a token signed
	// with the public key's PEM bytes as an HMAC secret (the classic confusion) is refused before
	// any key is tried, as are the algorithms of keys that are not configured.
	only := verifier(t, config.JWT{PublicKeys: []string{string(rsaPEM)}})
	for name, token := range map[string]string{
		"HS256 with the RSA public key": mint(t, jwt.SigningMethodHS256, rsaPEM, claimsWith(nil), ""),
		"ES256":                         mint(t, jwt.SigningMethodES256, keys.ec256, claimsWith(nil), ""),
		"EdDSA":                         mint(t, jwt.SigningMethodEdDSA, keys.ed, claimsWith(nil), ""),
		"none":                          none,
	} {
		_, err := only.Verify(ctx, token)
		refused(t, "RSA only: "+name, token, err, "the token's alg is not allowed")
	}
	if _, err := only.Verify(ctx, mint(t, jwt.SigningMethodRS256, keys.rsa, claimsWith(nil), "")); err != nil {
		t.Fatal(err)
	}
}

// TestLeeway: exp, nbf and iat are allowed the leeway's clock skew, and no more.
func TestLeeway(t *testing.T) {
	v := verifier(t, fullConfig(t)) // leeway 30s
	hs := func(with jwt.MapClaims) string {
		return mint(t, jwt.SigningMethodHS256, []byte(secret), claimsWith(with), "")
	}
	for name, token := range map[string]string{
		"expired within the leeway": hs(jwt.MapClaims{"exp": start.Add(-29 * time.Second).Unix()}),
		"nbf within the leeway":     hs(jwt.MapClaims{"nbf": start.Add(29 * time.Second).Unix()}),
		"iat within the leeway":     hs(jwt.MapClaims{"iat": start.Add(29 * time.Second).Unix()}),
		"nbf past":                  hs(jwt.MapClaims{"nbf": start.Add(-time.Minute).Unix()}),
		"aud a string":              hs(jwt.MapClaims{"aud": "pulse"}),
		"no iat":                    hs(jwt.MapClaims{"iat": nil}),
		"no pulse claim":            hs(jwt.MapClaims{"pulse": nil}),
		"exp as a float":            hs(jwt.MapClaims{"exp": float64(start.Add(time.Hour).Unix()) + 0.5}),
		"unknown claims and grants": hs(jwt.MapClaims{"role": "admin", "pulse": map[string]any{"rowdata": []string{}, "future": 1}}),
		"null grants":               hs(jwt.MapClaims{"pulse": map[string]any{"rowdata": nil, "alarms": nil, "ack": false}}),
	} {
		if _, err := v.Verify(context.Background(), token); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Without a leeway, a second late is too late.
	strict := fullConfig(t)
	strict.Leeway = 0
	_, err := verifier(t, strict).Verify(context.Background(), hs(jwt.MapClaims{"exp": start.Add(-time.Second).Unix()}))
	refused(t, "leeway 0", "", err, "the token has expired")
}

// TestGrants: the pulse claim decides what the bearer may do; no claim (or an empty one) grants
// nothing; its keys match exactly.
func TestGrants(t *testing.T) {
	v := verifier(t, config.JWT{HMACSecret: secret})
	for name, c := range map[string]struct {
		pulse          any
		rowdata, alarm string
		ack            bool
	}{
		"none":           {nil, "", "", false},
		"empty":          {map[string]any{}, "", "", false},
		"all":            {map[string]any{"rowdata": []string{"*"}, "alarms": []string{"*"}, "ack": true}, "*", "*", true},
		"some":           {map[string]any{"rowdata": []string{"meter/*", "pump/p-7"}, "alarms": []string{"meter/m 1"}}, "meter/*,pump/p-7", "meter/m 1", false},
		"ack alone":      {map[string]any{"ack": true}, "", "", true},
		"keys are exact": {map[string]any{"RowData": []string{"*"}, "Ack": true}, "", "", false},
	} {
		with := jwt.MapClaims{"pulse": c.pulse, "iss": nil, "aud": nil}
		id, err := v.Verify(context.Background(), mint(t, jwt.SigningMethodHS256, []byte(secret), claimsWith(with), ""))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := join(id.RowData); got != c.rowdata {
			t.Errorf("%s: rowdata %q, want %q", name, got, c.rowdata)
		}
		if got := join(id.Alarms); got != c.alarm {
			t.Errorf("%s: alarms %q, want %q", name, got, c.alarm)
		}
		if id.Ack != c.ack {
			t.Errorf("%s: ack %v", name, id.Ack)
		}
	}
}

func join(ps []model.Pattern) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// TestNewRefusesWhatCannotWork: New names the key that cannot work and never shows a secret.
func TestNewRefusesWhatCannotWork(t *testing.T) {
	for _, c := range []struct {
		cfg  config.JWT
		want string
	}{
		{config.JWT{}, "auth.jwt: no key source"},
		{config.JWT{HMACSecret: "short-secret"}, "auth.jwt.hmacSecret: is set but shorter than 32 bytes"},
		{config.JWT{PublicKeys: []string{publicPEM(t, &keys.rsa.PublicKey), "/no/such/key.pem"}}, "auth.jwt.publicKeys[1]: is neither PEM text nor the path of a readable file"},
		{config.JWT{HMACSecret: secret, Leeway: -time.Second}, "auth.jwt.leeway: must not be negative"},
	} {
		_, err := New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "short-secret") {
			t.Errorf("%+v: %v, want %s", c.cfg, err, c.want)
		}
	}
}

// TestFromRequest: the bearer header first, else the access_token query parameter.
func TestFromRequest(t *testing.T) {
	for _, c := range []struct {
		header, query, want string
	}{
		{"Bearer abc.def.ghi", "", "abc.def.ghi"},
		{"bearer   abc.def.ghi ", "", "abc.def.ghi"},
		{"Bearer from-header", "from-query", "from-header"},
		{"", "from-query", "from-query"},
		{"Basic dXNlcjpwYXNz", "from-query", "from-query"},
		{"Bearer ", "", ""},
		{"Basic dXNlcjpwYXNz", "", ""},
		{"", "", ""},
	} {
		target := "/ws/rowdata/meter/m1/alice"
		if c.query != "" {
			target += "?since=0&access_token=" + c.query
		}
		r := httptest.NewRequest("GET", target, nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		token, ok := FromRequest(r)
		if token != c.want || ok != (c.want != "") {
			t.Errorf("%q %q: %q %v, want %q", c.header, c.query, token, ok, c.want)
		}
	}
}
