package pulsenode

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
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// AuthSecret is the HMAC secret of the nodes started by StartAuth.
const AuthSecret = "auth-test-secret-of-at-least-32-bytes!"

// Signers are the private keys whose public halves StartAuth trusts (auth.jwt.publicKeys).
var Signers = sync.OnceValue(func() (s struct {
	RSA     *rsa.PrivateKey
	ECDSA   *ecdsa.PrivateKey
	Ed25519 ed25519.PrivateKey
}) {
	var err error
	if s.RSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if s.ECDSA, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if _, s.Ed25519, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return s
})

// PublicPEM is key in PEM, as auth.jwt.publicKeys takes it.
func PublicPEM(t testing.TB, key crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// IngestKeys are the keys StartAuth configures, by name; the config holds only their SHA-256.
var IngestKeys = map[string]config.IngestKey{
	"meter-rows":   {Allow: []string{"rowdata"}, Businesses: []string{"meter/*"}},
	"all-alarms":   {Allow: []string{"alarm"}, Businesses: []string{"*"}},
	"meter-alarms": {Allow: []string{"alarm"}, Businesses: []string{"meter/*"}},
	"broadcaster":  {Allow: []string{"rowdata", "alarm"}, Businesses: []string{"*"}},
	"slow-meter-1": {Allow: []string{"rowdata"}, Businesses: []string{"meter/m-1"}, Rate: 0.5},
}

// IngestKey is the key of the entry name (the key is derived from the name: tests only).
func IngestKey(name string) string { return "test-ingest-key-" + name + "-0123456789abcdef" }

// StartAuth starts a node with auth on: tokens signed with AuthSecret (HS*) or one of Signers
// (RS256, ES256, EdDSA), issuer "pulse-test", audience "pulse", and the IngestKeys.
func StartAuth(t *testing.T, edit func(*config.Config)) *Node {
	t.Helper()
	n := Start(t, func(c *config.Config) {
		WithAuth(t)(c)
		if edit != nil {
			edit(c)
		}
	})
	return n
}

// Grants is the pulse claim.
type Grants struct {
	RowData []string `json:"rowdata,omitempty"`
	Alarms  []string `json:"alarms,omitempty"`
	Ack     bool     `json:"ack,omitempty"`
}

// Claims are valid claims for sub with g, expiring in an hour; with changes them.
func Claims(sub string, g Grants, with ...func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"sub": sub, "iss": "pulse-test", "aud": "pulse", "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "pulse": g}
	for _, w := range with {
		w(c)
	}
	return c
}

// Sign signs claims with method and key.
func Sign(t testing.TB, method jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Token is an HS256 token for sub with g.
func Token(t testing.TB, sub string, g Grants, with ...func(jwt.MapClaims)) string {
	return Sign(t, jwt.SigningMethodHS256, []byte(AuthSecret), Claims(sub, g, with...))
}

// Bearer is the Authorization header of credential.
func Bearer(credential string) http.Header {
	return http.Header{"Authorization": {"Bearer " + credential}}
}

// Call sends method path with header and a JSON body (none when empty) and returns the status,
// the decoded {code,message,data} and the response headers.
func (n *Node) Call(method, path string, header http.Header, body string) (int, Envelope, http.Header) {
	n.T.Helper()
	contentType := ""
	if body != "" {
		contentType = "application/json"
	}
	status, env, h, _ := n.Request(method, path, contentType, []byte(body), header)
	return status, env, h
}

// Refused opens path with header and returns the HTTP status and body of the refusal, failing if
// it upgrades.
func (n *Node) Refused(path string, header http.Header) (int, Envelope, http.Header) {
	n.T.Helper()
	c, resp, err := n.TryDial(path, header)
	if err == nil {
		c.WS.Close()
		n.T.Fatalf("dial %s: upgraded, want a refusal", path)
	}
	if resp == nil {
		n.T.Fatalf("dial %s: %v (no HTTP answer)", path, err)
	}
	status, env := decodeResponse(n.T, resp)
	return status, env, resp.Header
}

// withCredentials adds to the header of a request to path what a node with credentials set
// needs for it, unless the header has its own: the key that may publish everything on ingest,
// a token that may do everything on the alarm API and the WebSockets, whose sub is the path's
// userName.
func (n *Node) withCredentials(path string, header http.Header) {
	if !n.Credentials || header.Get("Authorization") != "" || header.Get("X-Api-Key") != "" {
		return
	}
	path, _, _ = strings.Cut(path, "?")
	everything := Grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true}
	switch {
	case path == "/api/v1/rowdata" || path == "/api/v1/alarm":
		header.Set("X-Api-Key", IngestKey("broadcaster"))
	case strings.HasPrefix(path, "/api/v1/"), path == "/ws/alarm":
		header.Set("Authorization", "Bearer "+Token(n.T, "console", everything))
	case strings.HasPrefix(path, "/ws/rowdata/"):
		segments := strings.Split(path, "/")
		header.Set("Authorization", "Bearer "+Token(n.T, segments[len(segments)-1], everything))
	}
}

// WithAuth is the configuration edit of StartAuth, for nodes started otherwise (a cluster).
func WithAuth(t testing.TB) func(*config.Config) {
	s := Signers()
	return func(c *config.Config) {
		c.Auth.Enabled = true
		c.Auth.JWT = config.JWT{
			HMACSecret: AuthSecret,
			PublicKeys: []string{PublicPEM(t, &s.RSA.PublicKey), PublicPEM(t, &s.ECDSA.PublicKey), PublicPEM(t, s.Ed25519.Public())},
			Issuer:     "pulse-test",
			Audience:   "pulse",
		}
		for name, k := range IngestKeys {
			sum := sha256.Sum256([]byte(IngestKey(name)))
			k.Name, k.KeySHA256 = name, hex.EncodeToString(sum[:])
			c.Auth.IngestKeys = append(c.Auth.IngestKeys, k)
		}
	}
}

// RaiseAs raises one alarm of business typ/id with the ingest key name.
func RaiseAs(t *testing.T, n *Node, key, id, typ, bid string) {
	t.Helper()
	body := `{"alarmId":"` + id + `","businessType":"` + typ + `","businessId":"` + bid + `","level":"major","title":"t"}`
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/alarm", http.Header{"X-Api-Key": {IngestKey(key)}}, body); status != 200 {
		t.Fatalf("raise %s: %d %+v", id, status, env)
	}
}

// AlarmsUntilEnd reads alarm objects until the one of alarm "end", and returns the ids and events before it.
func (c *Client) AlarmsUntilEnd() []string {
	c.t.Helper()
	var got []string
	for {
		o := c.Next(Patience)
		if o.Type != "alarm" {
			continue
		}
		var a struct{ AlarmId, AckedBy string }
		_ = json.Unmarshal(o.Data, &a)
		if a.AlarmId == "end" {
			return got
		}
		got = append(got, a.AlarmId+":"+o.Event+a.AckedBy)
	}
}

// IDsOf is the alarm ids of objects.
func IDsOf(objects []Object) []string {
	var ids []string
	for _, o := range objects {
		var a struct{ AlarmId string }
		_ = json.Unmarshal(o.Data, &a)
		ids = append(ids, a.AlarmId)
	}
	return ids
}
