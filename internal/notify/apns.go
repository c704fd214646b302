package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/device"
)

func init() { RegisterOutletType("apns", NewAPNs) }

// APNs sends to iOS apps through Apple's provider API: HTTP/2 over TLS, POST
// {endpoint}/3/device/{token}, authenticated by a provider token (an ES256 JWT signed with the
// .p8 key: kid the key id, iss the team id, iat) that is reused, not made per request: Apple
// refuses one older than an hour and throttles one renewed more often than every 20 minutes.
type APNs struct {
	name     string
	endpoint string
	where    string
	keyID    string
	teamID   string
	topic    string
	key      *ecdsa.PrivateKey
	client   *http.Client
	mu       sync.Mutex
	jwt      string
	jwtAt    time.Time
}

const (
	apnsDefaultEndpoint = "https://api.push.apple.com"
	// apnsTokenAge is when the provider token is renewed: within Apple's 20 to 60 minutes.
	apnsTokenAge = 40 * time.Minute
	// apnsMaxPayload is Apple's limit for a notification's payload.
	apnsMaxPayload = 4096
	// apnsExpiration is how long APNs keeps trying a device that is off.
	apnsExpiration = 24 * time.Hour
)

// NewAPNs builds an apns outlet: keyFile (.p8), keyId, teamId, topic (the bundle id), endpoint
// (default https://api.push.apple.com; sandbox: https://api.sandbox.push.apple.com), caFile.
func NewAPNs(cfg OutletConfig) (Outlet, error) {
	switch {
	case cfg.KeyFile == "":
		return nil, errors.New("keyFile is required: the .p8 token-signing key from the Apple developer account")
	case cfg.KeyID == "":
		return nil, errors.New("keyId is required: the id of the .p8 key (10 characters)")
	case cfg.TeamID == "":
		return nil, errors.New("teamId is required: the Apple developer team id")
	case cfg.Topic == "":
		return nil, errors.New("topic is required: the app's bundle id")
	}
	raw, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("keyFile: cannot read %q", cfg.KeyFile)
	}
	key, err := jwt.ParseECPrivateKeyFromPEM(raw)
	if err != nil || key.Curve.Params().Name != "P-256" {
		return nil, fmt.Errorf("keyFile: %q is not a P-256 private key in PEM (an AuthKey_<keyId>.p8 file)", cfg.KeyFile)
	}
	endpoint, where, err := pushEndpoint(cfg.Endpoint, apnsDefaultEndpoint)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(endpoint, "https://") {
		return nil, errors.New("endpoint must be an https URL: APNs speaks HTTP/2 over TLS only")
	}
	client, err := pushClient(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	t := client.Transport.(*http.Transport)
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP2(true) // never HTTP/1.1: APNs refuses it
	return &APNs{name: cfg.Name, endpoint: strings.TrimSuffix(endpoint, "/"), where: where, keyID: cfg.KeyID,
		teamID: cfg.TeamID, topic: cfg.Topic, key: key, client: client}, nil
}

func (a *APNs) Name() string      { return a.name }
func (a *APNs) Type() string      { return "apns" }
func (a *APNs) Targets() []string { return nil }
func (a *APNs) Platform() string  { return device.APNs }

// Send is never called for a push outlet (the dispatcher calls SendDevice).
func (a *APNs) Send(context.Context, string, Notification) error {
	return &SendError{Permanent: true, Reason: "apns sends to registered devices only"}
}

// apnsAlert is the aps dictionary of a notification.
type apnsAps struct {
	Alert struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"alert"`
	Sound             string `json:"sound,omitempty"`
	ThreadID          string `json:"thread-id,omitempty"`
	InterruptionLevel string `json:"interruption-level,omitempty"`
}

// APNsPayload is the JSON APNs delivers to the app: aps, and the alarm's keys beside it.
type APNsPayload struct {
	Aps apnsAps `json:"aps"`
	PushPayload
}

// apnsPayload renders n within APNs' 4 KB: the title is cut further if it has to be.
func apnsPayload(n Notification) ([]byte, PushPayload, error) {
	p := PushPayloadOf(n)
	for {
		var m APNsPayload
		m.PushPayload = p
		m.Aps.Alert.Title = p.Title
		m.Aps.Alert.Body = p.Level + " · " + p.BusinessType + "/" + p.BusinessID + " · " + p.Event
		m.Aps.Sound = "default"
		m.Aps.ThreadID = p.BusinessType + "/" + p.BusinessID
		if p.Urgent() {
			m.Aps.InterruptionLevel = "time-sensitive"
		}
		b, err := json.Marshal(m)
		if err != nil || len(b) <= apnsMaxPayload {
			return b, p, err
		}
		if p.Title == "" {
			return nil, p, fmt.Errorf("the payload is %d bytes, more than APNs takes (%d)", len(b), apnsMaxPayload)
		}
		p.Title = cutUTF8(p.Title, len(p.Title)/2)
	}
}

// apnsReason is APNs' error body.
type apnsReason struct {
	Reason string `json:"reason"`
}

// SendDevice sends n to d: an alert, priority 10 and time-sensitive for critical alarms (5
// otherwise), collapsed per alarm.
func (a *APNs) SendDevice(ctx context.Context, d *device.Device, n Notification) error {
	body, p, err := apnsPayload(n)
	if err != nil {
		return &SendError{Where: a.where, Permanent: true, Reason: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint+"/3/device/"+d.Token, bytes.NewReader(body))
	if err != nil {
		return &SendError{Where: a.where, Reason: "bad device token", Permanent: true}
	}
	priority := "5"
	if p.Urgent() {
		priority = "10"
	}
	req.Header.Set("authorization", "bearer "+a.providerToken(time.Now()))
	req.Header.Set("apns-push-type", "alert")
	req.Header.Set("apns-priority", priority)
	req.Header.Set("apns-topic", a.topic)
	req.Header.Set("apns-expiration", strconv.FormatInt(time.Now().Add(apnsExpiration).Unix(), 10))
	req.Header.Set("apns-collapse-id", collapseOf(n, p))
	req.Header.Set("content-type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return &SendError{Where: a.where, Reason: transportReason(unwrapURLError(err))}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	e, _ := HTTPStatusError(resp, a.where).(*SendError)
	var r apnsReason
	if json.Unmarshal(raw, &r) == nil && r.Reason != "" {
		e.Reason += " " + shortText(r.Reason)
	}
	switch r.Reason {
	case "Unregistered", "ExpiredToken":
		e.Gone, e.Permanent = true, true
	case "ExpiredProviderToken", "InvalidProviderToken":
		// A new provider token may do (a clock step, a key rotated at Apple): renew, retry.
		a.mu.Lock()
		a.jwt = ""
		a.mu.Unlock()
		e.Permanent = r.Reason == "InvalidProviderToken"
	}
	return e
}

// providerToken is the ES256 JWT of every request, renewed when apnsTokenAge old.
func (a *APNs) providerToken(now time.Time) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.jwt != "" && now.Sub(a.jwtAt) < apnsTokenAge {
		return a.jwt
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": a.teamID, "iat": now.Unix()})
	t.Header["kid"] = a.keyID
	s, err := t.SignedString(a.key)
	if err != nil {
		return "" // a P-256 key checked at start signs; APNs answers 403 to an empty token
	}
	a.jwt, a.jwtAt = s, now
	return s
}
