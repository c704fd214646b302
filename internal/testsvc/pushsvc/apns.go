package pushsvc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// APNsPush is one notification the APNs stand-in accepted.
type APNsPush struct {
	Token    string
	Header   http.Header
	Payload  map[string]any
	Raw      []byte
	Provider string // the provider token (JWT) it came with
	At       time.Time
}

// APNs is an APNs provider API stand-in (developer.apple.com, "Sending notification requests to
// APNs"): HTTP/2 over TLS only; POST /3/device/<hex token>; a provider token "bearer <JWT>",
// ES256 with kid the key id, iss the team id, iat not older than an hour, signed by the .p8 key;
// apns-topic the configured bundle id, apns-push-type, apns-priority 5 or 10, apns-expiration,
// apns-collapse-id at most 64 bytes; a payload of at most 4096 bytes with an aps dictionary.
// Dead tokens are answered 410 {"reason":"Unregistered"}.
type APNs struct {
	Srv     *httptest.Server
	KeyFile string // the .p8 key (PKCS#8 PEM) the outlet signs with
	CAFile  string // the server's certificate, for the outlet's caFile
	KeyID   string
	TeamID  string
	Topic   string
	key     *ecdsa.PrivateKey

	mu      sync.Mutex
	pushes  []APNsPush
	refused []string // reasons of the requests refused (not dead tokens)
	dead    map[string]bool
	// Answer, when set, may answer a request instead (status and reason; 0 lets it through).
	Answer func(token string) (status int, reason string, header http.Header)
}

// NewAPNs starts an APNs stand-in with a new key, closed when the test ends.
func NewAPNs(t testing.TB) *APNs {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := &APNs{KeyID: "ABC123DEFG", TeamID: "TEAM123456", Topic: "com.example.pulse", key: key, dead: map[string]bool{},
		KeyFile: filepath.Join(dir, "AuthKey_ABC123DEFG.p8")}
	if err := os.WriteFile(a.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	a.Srv = httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	a.Srv.EnableHTTP2 = true
	a.Srv.StartTLS()
	t.Cleanup(a.Srv.Close)
	a.CAFile = filepath.Join(dir, "apns-ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Srv.Certificate().Raw})
	if err := os.WriteFile(a.CAFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	return a
}

// Kill makes token dead: APNs answers 410 Unregistered from now on.
func (a *APNs) Kill(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dead[token] = true
}

// Pushes are the notifications accepted so far.
func (a *APNs) Pushes() []APNsPush {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]APNsPush(nil), a.pushes...)
}

// Refused are the reasons of the requests refused so far (dead tokens aside).
func (a *APNs) Refused() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.refused...)
}

// DeviceToken is a device token as APNs makes them: 32 bytes, hex.
func DeviceToken(n int) string {
	return fmt.Sprintf("%064x", n+1)
}

func (a *APNs) refuse(w http.ResponseWriter, status int, reason string) {
	a.mu.Lock()
	a.refused = append(a.refused, reason)
	a.mu.Unlock()
	writeReason(w, status, reason)
}

func writeReason(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"reason": reason})
}

func (a *APNs) serve(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 2 || r.TLS == nil {
		a.refuse(w, http.StatusHTTPVersionNotSupported, "HTTP/2 over TLS required") // APNs speaks nothing else
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if r.Method != http.MethodPost {
		a.refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	}
	if b, err := hex.DecodeString(token); !ok || err != nil || len(b) != 32 {
		a.refuse(w, http.StatusBadRequest, "BadDeviceToken")
		return
	}
	provider, reason := a.checkProviderToken(r.Header.Get("authorization"))
	if reason != "" {
		a.refuse(w, http.StatusForbidden, reason)
		return
	}
	h := r.Header
	switch {
	case h.Get("apns-topic") == "":
		a.refuse(w, http.StatusBadRequest, "MissingTopic")
		return
	case h.Get("apns-topic") != a.Topic:
		a.refuse(w, http.StatusBadRequest, "TopicDisallowed")
		return
	case h.Get("apns-push-type") != "alert" && h.Get("apns-push-type") != "background":
		a.refuse(w, http.StatusBadRequest, "InvalidPushType")
		return
	case h.Get("apns-priority") != "" && h.Get("apns-priority") != "5" && h.Get("apns-priority") != "10":
		a.refuse(w, http.StatusBadRequest, "BadPriority")
		return
	case len(h.Get("apns-collapse-id")) > 64:
		a.refuse(w, http.StatusBadRequest, "BadCollapseId")
		return
	}
	if e := h.Get("apns-expiration"); e != "" {
		if _, err := strconv.ParseInt(e, 10, 64); err != nil {
			a.refuse(w, http.StatusBadRequest, "BadExpirationDate")
			return
		}
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(raw) > 4096 {
		a.refuse(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge")
		return
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil || payload["aps"] == nil {
		a.refuse(w, http.StatusBadRequest, "PayloadEmpty")
		return
	}
	a.mu.Lock()
	dead := a.dead[token]
	answer := a.Answer
	a.mu.Unlock()
	if dead {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		_ = json.NewEncoder(w).Encode(map[string]any{"reason": "Unregistered", "timestamp": time.Now().UnixMilli()})
		return
	}
	if answer != nil {
		if status, reason, header := answer(token); status != 0 {
			for k, v := range header {
				w.Header()[k] = v
			}
			writeReason(w, status, reason)
			return
		}
	}
	a.mu.Lock()
	a.pushes = append(a.pushes, APNsPush{Token: token, Header: h.Clone(), Payload: payload, Raw: raw, Provider: provider, At: time.Now()})
	a.mu.Unlock()
	w.Header().Set("apns-id", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(http.StatusOK)
}

// checkProviderToken verifies "bearer <JWT>": ES256, kid, iss, iat within the hour, signature.
func (a *APNs) checkProviderToken(header string) (token, reason string) {
	s, ok := strings.CutPrefix(header, "bearer ")
	if !ok || s == "" {
		return "", "MissingProviderToken"
	}
	var claims jwt.MapClaims
	parsed, err := jwt.ParseWithClaims(s, &claims, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != a.KeyID {
			return nil, fmt.Errorf("kid %v", t.Header["kid"])
		}
		return &a.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(a.TeamID), jwt.WithIssuedAt())
	if err != nil || !parsed.Valid {
		return "", "InvalidProviderToken"
	}
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil {
		return "", "InvalidProviderToken"
	}
	if time.Since(iat.Time) > time.Hour {
		return "", "ExpiredProviderToken"
	}
	return s, ""
}
