package app_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// authSecret is the HMAC secret of the nodes started by authNode.
const authSecret = "auth-test-secret-of-at-least-32-bytes!"

// signers are the private keys whose public halves authNode trusts (auth.jwt.publicKeys).
var signers = sync.OnceValue(func() (s struct {
	rsa     *rsa.PrivateKey
	ecdsa   *ecdsa.PrivateKey
	ed25519 ed25519.PrivateKey
}) {
	var err error
	if s.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if s.ecdsa, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if _, s.ed25519, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return s
})

func publicPEM(t testing.TB, key crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// ingestKeys are the keys authNode configures, by name; the config holds only their SHA-256.
var ingestKeys = map[string]config.IngestKey{
	"meter-rows":   {Allow: []string{"rowdata"}, Businesses: []string{"meter/*"}},
	"all-alarms":   {Allow: []string{"alarm"}, Businesses: []string{"*"}},
	"meter-alarms": {Allow: []string{"alarm"}, Businesses: []string{"meter/*"}},
	"broadcaster":  {Allow: []string{"rowdata", "alarm"}, Businesses: []string{"*"}},
	"slow-meter-1": {Allow: []string{"rowdata"}, Businesses: []string{"meter/m-1"}, Rate: 0.5},
}

// ingestKey is the key of the entry name (the key is derived from the name: tests only).
func ingestKey(name string) string { return "test-ingest-key-" + name + "-0123456789abcdef" }

// authNode starts a node with auth on: tokens signed with authSecret (HS*) or one of signers
// (RS256, ES256, EdDSA), issuer "pulse-test", audience "pulse", and the ingestKeys.
func authNode(t *testing.T, edit func(*config.Config)) *node {
	t.Helper()
	n := startNode(t, func(c *config.Config) {
		withAuth(t)(c)
		if edit != nil {
			edit(c)
		}
	})
	return n
}

// grants is the pulse claim.
type grants struct {
	RowData []string `json:"rowdata,omitempty"`
	Alarms  []string `json:"alarms,omitempty"`
	Ack     bool     `json:"ack,omitempty"`
}

// claims are valid claims for sub with g, expiring in an hour; with changes them.
func claims(sub string, g grants, with ...func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"sub": sub, "iss": "pulse-test", "aud": "pulse", "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "pulse": g}
	for _, w := range with {
		w(c)
	}
	return c
}

// sign signs claims with method and key.
func sign(t testing.TB, method jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// token is an HS256 token for sub with g.
func token(t testing.TB, sub string, g grants, with ...func(jwt.MapClaims)) string {
	return sign(t, jwt.SigningMethodHS256, []byte(authSecret), claims(sub, g, with...))
}

func bearer(credential string) http.Header {
	return http.Header{"Authorization": {"Bearer " + credential}}
}

// call sends method path with header and a JSON body (none when empty) and returns the status,
// the decoded {code,message,data} and the response headers.
func (n *node) call(method, path string, header http.Header, body string) (int, envelope, http.Header) {
	n.t.Helper()
	contentType := ""
	if body != "" {
		contentType = "application/json"
	}
	status, env, h, _ := n.request(method, path, contentType, []byte(body), header)
	return status, env, h
}

// refused opens path with header and returns the HTTP status and body of the refusal, failing if
// it upgrades.
func (n *node) refused(path string, header http.Header) (int, envelope, http.Header) {
	n.t.Helper()
	c, resp, err := n.tryDial(path, header)
	if err == nil {
		c.ws.Close()
		n.t.Fatalf("dial %s: upgraded, want a refusal", path)
	}
	if resp == nil {
		n.t.Fatalf("dial %s: %v (no HTTP answer)", path, err)
	}
	status, env := decodeResponse(n.t, resp)
	return status, env, resp.Header
}

// withCredentials adds to the header of a request to path what a node with credentials set
// needs for it, unless the header has its own: the key that may publish everything on ingest,
// a token that may do everything on the alarm API and the WebSockets, whose sub is the path's
// userName.
func (n *node) withCredentials(path string, header http.Header) {
	if !n.credentials || header.Get("Authorization") != "" || header.Get("X-Api-Key") != "" {
		return
	}
	path, _, _ = strings.Cut(path, "?")
	everything := grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true}
	switch {
	case path == "/api/v1/rowdata" || path == "/api/v1/alarm":
		header.Set("X-Api-Key", ingestKey("broadcaster"))
	case strings.HasPrefix(path, "/api/v1/"), path == "/ws/alarm":
		header.Set("Authorization", "Bearer "+token(n.t, "console", everything))
	case strings.HasPrefix(path, "/ws/rowdata/"):
		segments := strings.Split(path, "/")
		header.Set("Authorization", "Bearer "+token(n.t, segments[len(segments)-1], everything))
	}
}

// withAuth is the configuration edit of authNode, for nodes started otherwise (a cluster).
func withAuth(t testing.TB) func(*config.Config) {
	s := signers()
	return func(c *config.Config) {
		c.Auth.Enabled = true
		c.Auth.JWT = config.JWT{
			HMACSecret: authSecret,
			PublicKeys: []string{publicPEM(t, &s.rsa.PublicKey), publicPEM(t, &s.ecdsa.PublicKey), publicPEM(t, s.ed25519.Public())},
			Issuer:     "pulse-test",
			Audience:   "pulse",
		}
		for name, k := range ingestKeys {
			sum := sha256.Sum256([]byte(ingestKey(name)))
			k.Name, k.KeySHA256 = name, hex.EncodeToString(sum[:])
			c.Auth.IngestKeys = append(c.Auth.IngestKeys, k)
		}
	}
}
