package pushsvc

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
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

// FCMPush is one message the FCM stand-in accepted.
type FCMPush struct {
	Token    string
	Data     map[string]string
	Priority string // android.priority
	Collapse string // android.collapse_key
	At       time.Time
}

// FCM is an FCM HTTP v1 API stand-in with its OAuth2 token endpoint (firebase.google.com,
// "Send messages using the HTTP v1 API"; developers.google.com, "Using OAuth 2.0 for
// Server to Server Applications"):
//   - POST /token: grant_type urn:ietf:params:oauth:grant-type:jwt-bearer and an assertion signed
//     RS256 by the service account's key, iss its client_email, aud the token_uri, scope
//     firebase.messaging, exp at most an hour after iat; answers an access token for an hour;
//   - POST /v1/projects/<project>/messages:send with "Authorization: Bearer <access token>" (401
//     UNAUTHENTICATED otherwise) and {"message": {"token", "data" (string values only), "android":
//     {"priority": "high"|"normal"}}}; a dead token is answered 404 NOT_FOUND with the FcmError
//     errorCode UNREGISTERED; other mistakes 400 INVALID_ARGUMENT.
type FCM struct {
	Srv             *httptest.Server
	CredentialsFile string // the service-account JSON file the outlet reads
	Project         string
	email           string
	key             *rsa.PrivateKey

	mu          sync.Mutex
	pushes      []FCMPush
	refused     []string
	dead        map[string]bool
	tokens      map[string]time.Time // access tokens issued -> their end
	TokenGrants int                  // token requests granted
}

const fcmScope = "https://www.googleapis.com/auth/firebase.messaging"

// NewFCM starts an FCM stand-in with a new service account, closed when the test ends.
func NewFCM(t testing.TB) *FCM {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &FCM{Project: "pulse-test", email: "pulse@pulse-test.iam.gserviceaccount.com", key: key,
		dead: map[string]bool{}, tokens: map[string]time.Time{}}
	f.Srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Srv.Close)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := json.Marshal(map[string]string{"type": "service_account", "project_id": f.Project, "private_key_id": "kid-1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": f.email,
		"token_uri": f.Srv.URL + "/token"})
	f.CredentialsFile = filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(f.CredentialsFile, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// Kill makes token unregistered from now on.
func (f *FCM) Kill(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead[token] = true
}

// Pushes are the messages accepted so far.
func (f *FCM) Pushes() []FCMPush {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FCMPush(nil), f.pushes...)
}

// Refused are the reasons of the requests refused so far (unregistered tokens aside).
func (f *FCM) Refused() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.refused...)
}

// Grants is how many access tokens the token endpoint gave.
func (f *FCM) Grants() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.TokenGrants
}

func (f *FCM) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/token":
		f.grant(w, r)
	case r.URL.Path == "/v1/projects/"+f.Project+"/messages:send" && r.Method == http.MethodPost:
		f.send(w, r)
	default:
		f.googleError(w, http.StatusNotFound, "NOT_FOUND", "", "no such method: "+r.Method+" "+r.URL.Path)
	}
}

// googleError answers as Google APIs do: {"error": {"code", "message", "status", "details"}}.
func (f *FCM) googleError(w http.ResponseWriter, code int, status, fcmCode, message string) {
	if fcmCode != "UNREGISTERED" {
		f.mu.Lock()
		f.refused = append(f.refused, status+" "+fcmCode+": "+message)
		f.mu.Unlock()
	}
	e := map[string]any{"code": code, "message": message, "status": status}
	if fcmCode != "" {
		e["details"] = []any{map[string]any{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcmCode}}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

// oauthError answers as an OAuth2 token endpoint does (RFC 6749 5.2).
func (f *FCM) oauthError(w http.ResponseWriter, code, description string) {
	f.mu.Lock()
	f.refused = append(f.refused, "token: "+code+": "+description)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

func (f *FCM) grant(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		f.oauthError(w, "invalid_request", "POST application/x-www-form-urlencoded required")
		return
	}
	if err := r.ParseForm(); err != nil {
		f.oauthError(w, "invalid_request", err.Error())
		return
	}
	if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		f.oauthError(w, "unsupported_grant_type", "grant_type "+r.PostForm.Get("grant_type"))
		return
	}
	var claims jwt.MapClaims
	_, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), &claims, func(*jwt.Token) (any, error) { return &f.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(f.email), jwt.WithAudience(f.Srv.URL+"/token"),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil {
		f.oauthError(w, "invalid_grant", "assertion: "+err.Error())
		return
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if iat == nil || exp.Sub(iat.Time) > time.Hour {
		f.oauthError(w, "invalid_grant", "assertion: iat missing, or exp more than an hour after it")
		return
	}
	if scope, _ := claims["scope"].(string); !strings.Contains(" "+scope+" ", " "+fcmScope+" ") {
		f.oauthError(w, "invalid_scope", "scope "+scope)
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := "ya29." + hex.EncodeToString(b)
	f.mu.Lock()
	f.tokens[token] = time.Now().Add(time.Hour)
	f.TokenGrants++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
}

func (f *FCM) send(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	end, ok := f.tokens[token]
	f.mu.Unlock()
	if !ok || time.Now().After(end) {
		f.googleError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "", "Request had invalid authentication credentials.")
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body struct {
		Message struct {
			Token   string            `json:"token"`
			Data    map[string]string `json:"data"` // FCM refuses a value that is not a string
			Android *struct {
				Priority    string `json:"priority"`
				CollapseKey string `json:"collapse_key"`
			} `json:"android"`
		} `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&body); err != nil {
		f.googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error())
		return
	}
	m := body.Message
	switch {
	case m.Token == "":
		f.googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token is required")
		return
	case len(raw) > 4096+1024: // data is limited to 4 KB; the envelope around it is small
		f.googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message is too big")
		return
	case m.Android != nil && m.Android.Priority != "" && m.Android.Priority != "high" && m.Android.Priority != "normal":
		f.googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "android.priority "+m.Android.Priority)
		return
	}
	f.mu.Lock()
	dead := f.dead[m.Token]
	f.mu.Unlock()
	if dead {
		f.googleError(w, http.StatusNotFound, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
		return
	}
	p := FCMPush{Token: m.Token, Data: m.Data, At: time.Now()}
	if m.Android != nil {
		p.Priority, p.Collapse = m.Android.Priority, m.Android.CollapseKey
	}
	f.mu.Lock()
	f.pushes = append(f.pushes, p)
	n := len(f.pushes)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"name": "projects/" + f.Project + "/messages/0:" + strconv.Itoa(n)})
}
