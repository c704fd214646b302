package notify

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/device"
)

func init() { RegisterOutletType("fcm", NewFCM) }

// FCM sends to Android apps (and others registered with Firebase) through the FCM HTTP v1 API:
// POST {endpoint}/v1/projects/{project}/messages:send, authorised by an OAuth2 access token
// the service account gets from its token_uri with a signed JWT (RFC 7523), kept for its lifetime.
type FCM struct {
	name     string
	send     string // the messages:send URL
	where    string // scheme://host of the endpoint
	account  serviceAccount
	client   *http.Client
	mu       sync.Mutex
	token    string
	tokenEnd time.Time
}

// serviceAccount is what FCM needs of a service-account JSON file.
type serviceAccount struct {
	ProjectID    string `json:"project_id"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
	key          *rsa.PrivateKey
}

const (
	fcmDefaultEndpoint = "https://fcm.googleapis.com"
	fcmScope           = "https://www.googleapis.com/auth/firebase.messaging"
	jwtBearerGrant     = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// NewFCM builds an fcm outlet: credentialsFile (a service-account JSON file: project id, client
// email, RSA key, token_uri), endpoint (default https://fcm.googleapis.com), caFile.
func NewFCM(cfg OutletConfig) (Outlet, error) {
	if cfg.CredentialsFile == "" {
		return nil, errors.New("credentialsFile is required: the service-account JSON file of the Firebase project")
	}
	raw, err := os.ReadFile(cfg.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("credentialsFile: cannot read %q", cfg.CredentialsFile)
	}
	var sa serviceAccount
	if err := json.Unmarshal(raw, &sa); err != nil {
		return nil, fmt.Errorf("credentialsFile: %q is not a service-account JSON file", cfg.CredentialsFile)
	}
	switch {
	case sa.ProjectID == "" || sa.ClientEmail == "" || sa.PrivateKey == "":
		return nil, fmt.Errorf("credentialsFile: %q lacks project_id, client_email or private_key", cfg.CredentialsFile)
	case sa.TokenURI == "":
		sa.TokenURI = "https://oauth2.googleapis.com/token"
	}
	if u, err := url.Parse(sa.TokenURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("credentialsFile: token_uri of %q is not an http(s) URL", cfg.CredentialsFile)
	}
	if sa.key, err = jwt.ParseRSAPrivateKeyFromPEM([]byte(sa.PrivateKey)); err != nil {
		return nil, fmt.Errorf("credentialsFile: the private_key of %q is not an RSA key in PEM", cfg.CredentialsFile)
	}
	endpoint, where, err := pushEndpoint(cfg.Endpoint, fcmDefaultEndpoint)
	if err != nil {
		return nil, err
	}
	client, err := pushClient(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	return &FCM{name: cfg.Name, where: where, account: sa, client: client,
		send: strings.TrimSuffix(endpoint, "/") + "/v1/projects/" + url.PathEscape(sa.ProjectID) + "/messages:send"}, nil
}

func (f *FCM) Name() string      { return f.name }
func (f *FCM) Type() string      { return "fcm" }
func (f *FCM) Targets() []string { return nil }
func (f *FCM) Platform() string  { return device.FCM }

// Send is never called for a push outlet (the dispatcher calls SendDevice).
func (f *FCM) Send(context.Context, string, Notification) error {
	return &SendError{Permanent: true, Reason: "fcm sends to registered devices only"}
}

// fcmMessage is the v1 API's request body.
type fcmMessage struct {
	Message struct {
		Token   string            `json:"token"`
		Data    map[string]string `json:"data"`
		Android fcmAndroid        `json:"android"`
	} `json:"message"`
}

type fcmAndroid struct {
	Priority    string `json:"priority"` // high or normal
	CollapseKey string `json:"collapse_key"`
}

// fcmError is the v1 API's error body: the FcmError detail's errorCode tells an unregistered token.
type fcmError struct {
	Error struct {
		Code    int    `json:"code"`
		Status  string `json:"status"`
		Message string `json:"message"`
		Details []struct {
			Type      string `json:"@type"`
			ErrorCode string `json:"errorCode"`
		} `json:"details"`
	} `json:"error"`
}

// SendDevice sends n to d: the payload as FCM data (string values), high priority for critical
// alarms, one collapse key per alarm.
func (f *FCM) SendDevice(ctx context.Context, d *device.Device, n Notification) error {
	p := PushPayloadOf(n)
	var m fcmMessage
	m.Message.Token = d.Token
	m.Message.Data = map[string]string{"alarmId": p.AlarmID, "seq": strconv.FormatInt(p.Seq, 10), "level": p.Level,
		"title": p.Title, "businessType": p.BusinessType, "businessId": p.BusinessID, "event": p.Event}
	if p.AckURL != "" {
		m.Message.Data["ackUrl"] = p.AckURL
	}
	m.Message.Android = fcmAndroid{Priority: "normal", CollapseKey: collapseOf(n, p)}
	if p.Urgent() {
		m.Message.Android.Priority = "high"
	}
	body, _ := json.Marshal(m)
	token, err := f.accessToken(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.send, bytes.NewReader(body))
	if err != nil {
		return &SendError{Where: f.where, Reason: "bad request", Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := f.client.Do(req)
	if err != nil {
		return &SendError{Where: f.where, Reason: transportReason(unwrapURLError(err))}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	e, _ := HTTPStatusError(resp, f.where).(*SendError)
	var fe fcmError
	if json.Unmarshal(raw, &fe) == nil {
		for _, det := range fe.Error.Details {
			if det.ErrorCode != "" {
				e.Reason += " " + det.ErrorCode
			}
			if det.ErrorCode == "UNREGISTERED" {
				e.Gone, e.Permanent = true, true
			}
		}
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// The access token was refused (revoked, or the clock is off): get another, and retry.
		f.mu.Lock()
		f.token = ""
		f.mu.Unlock()
		e.Permanent = false
	}
	return e
}

// accessToken is the cached OAuth2 access token, or a new one from the token endpoint when it
// is near its end.
func (f *FCM) accessToken(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if f.token != "" && now.Before(f.tokenEnd) {
		return f.token, nil
	}
	sa := f.account
	claims := jwt.MapClaims{"iss": sa.ClientEmail, "scope": fcmScope, "aud": sa.TokenURI,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if sa.PrivateKeyID != "" {
		t.Header["kid"] = sa.PrivateKeyID
	}
	assertion, err := t.SignedString(sa.key)
	if err != nil {
		return "", &SendError{Permanent: true, Reason: "signing the OAuth2 assertion: " + err.Error()}
	}
	form := url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sa.TokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		return "", &SendError{Permanent: true, Reason: "bad token_uri"}
	}
	where := req.URL.Scheme + "://" + req.URL.Host
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.client.Do(req)
	if err != nil {
		return "", &SendError{Where: where, Reason: "OAuth2 token: " + transportReason(unwrapURLError(err))}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		e, _ := HTTPStatusError(resp, where).(*SendError)
		e.Reason = "OAuth2 token: " + e.Reason
		return "", e
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
		return "", &SendError{Where: where, Status: resp.StatusCode, Reason: "OAuth2 token: the answer holds no access_token"}
	}
	life := time.Duration(max(tok.ExpiresIn, 60)) * time.Second
	// Renewed a minute before its end (or at half its life if shorter), so no request carries a
	// token that expires on the way.
	f.token, f.tokenEnd = tok.AccessToken, now.Add(life-min(time.Minute, life/2))
	return f.token, nil
}
