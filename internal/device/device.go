package device

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// Platforms are the push services a device may be registered for.
const (
	FCM     = "fcm"
	APNs    = "apns"
	WebPush = "webpush"
)

// MaxPerOwner is how many devices a user may have: registering one more removes the one
// registered longest ago.
const MaxPerOwner = 10

// levels are the alarm levels a filter may name.
var levels = []string{model.LevelCritical, model.LevelMajor, model.LevelMinor, model.LevelWarning, model.LevelInfo}

// MaxTokenLen bounds a token or endpoint (FCM tokens are about 160 bytes, APNs 64 hex digits,
// Web Push endpoints a few hundred bytes).
const MaxTokenLen = 2048

// Device is one registered phone or browser.
type Device struct {
	ID           string        `json:"id" dc:"the device's id: the same when its owner registers the same token again"`
	Platform     string        `json:"platform" dc:"fcm, apns or webpush"`
	Token        string        `json:"token,omitempty" dc:"fcm and apns: the push token"`
	Subscription *Subscription `json:"subscription,omitempty" dc:"webpush: the browser's subscription"`
	Levels       []string      `json:"levels" dc:"the levels it receives; empty: every level"`
	Businesses   []string      `json:"businesses" dc:"the business patterns it receives; empty: every business the token covered"`
	Owner        string        `json:"owner" dc:"the user (the token's sub)"`
	CreatedAt    int64         `json:"createdAt" dc:"unix ms of its first registration"`
	RegisteredAt int64         `json:"registeredAt" dc:"unix ms of its last registration"`
	ExpiresAt    int64         `json:"expiresAt" dc:"unix ms: it receives nothing after, unless registered again"`
	// Scope is the owner's token's alarms patterns at registration; ["*"] with auth off.
	Scope []string `json:"-"`

	scope    []model.Pattern
	patterns []model.Pattern
}

// Subscription is a browser's Web Push subscription (PushSubscription.toJSON()).
type Subscription struct {
	Endpoint string `json:"endpoint" dc:"the push service's URL for this browser"`
	Keys     Keys   `json:"keys"`
	// ExpirationTime is what browsers' toJSON() gives (null, mostly): taken so that a console
	// can send the subscription as the browser hands it; unused.
	ExpirationTime *int64 `json:"expirationTime,omitempty" dc:"unix ms when the browser says the subscription ends, or null; unused"`
}

// Keys are a subscription's keys, base64url.
type Keys struct {
	P256dh string `json:"p256dh" dc:"the browser's P-256 public key, base64url (65 bytes)"`
	Auth   string `json:"auth" dc:"the authentication secret, base64url (16 bytes)"`
}

// Handle is what the push service knows the device by: its token, or its subscription's endpoint.
func (d *Device) Handle() string {
	if d.Subscription != nil {
		return d.Subscription.Endpoint
	}
	return d.Token
}

// IDOf is the id of the device of owner on platform known by handle: "dev_" + 26 lower-case
// base32 characters of SHA-256, so that registering again finds the same device on every node.
func IDOf(owner, platform, handle string) string {
	sum := sha256.Sum256([]byte(owner + "\x00" + platform + "\x00" + handle))
	return "dev_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:26]
}

// ErrOutsideScope is Check's answer for a filter pattern the token does not cover (403).
var ErrOutsideScope = errors.New("businesses: every pattern must be within your token's alarms patterns")

// Check refuses a registration that cannot work (a missing token, an unknown level, a pattern
// that is not one), with a message naming the field, or ErrOutsideScope; it sets the device's
// id and scope from owner and scope. Web Push endpoints are checked further by the outlet.
func (d *Device) Check(owner string, scope model.Scope) error {
	switch d.Platform {
	case FCM, APNs:
		if d.Subscription != nil {
			return fmt.Errorf("subscription: only for platform webpush; %s devices send token", d.Platform)
		}
		if err := checkToken(d.Token); err != nil {
			return fmt.Errorf("token: %v", err)
		}
	case WebPush:
		if d.Token != "" {
			return errors.New("token: platform webpush sends subscription {endpoint, keys: {p256dh, auth}}, not token")
		}
		if err := d.Subscription.check(); err != nil {
			return fmt.Errorf("subscription%v", err)
		}
	case "":
		return errors.New(`platform is required: "fcm", "apns" or "webpush"`)
	default:
		return fmt.Errorf(`platform %q is not one: "fcm", "apns" or "webpush"`, d.Platform)
	}
	for i, l := range d.Levels {
		if !slices.Contains(levels, l) {
			return fmt.Errorf("levels[%d]: %q is not a level (%s)", i, l, strings.Join(levels, ", "))
		}
	}
	if d.Levels == nil {
		d.Levels = []string{}
	}
	if d.Businesses == nil {
		d.Businesses = []string{}
	}
	d.patterns = d.patterns[:0]
	for i, b := range d.Businesses {
		p, err := model.ParsePattern(b)
		if err != nil {
			return fmt.Errorf("businesses[%d]: %v", i, err)
		}
		d.patterns = append(d.patterns, p)
	}
	granted, limited := scope.Patterns()
	d.Scope = []string{model.Wildcard}
	if limited && !scope.All() {
		d.Scope = d.Scope[:0]
		for _, g := range granted {
			d.Scope = append(d.Scope, g.String())
		}
		for _, p := range d.patterns {
			if !within(granted, p) {
				return ErrOutsideScope
			}
		}
		if len(granted) == 0 {
			return ErrOutsideScope // a token that covers nothing would register a device that receives nothing
		}
	}
	d.Owner = owner
	d.ID = IDOf(owner, d.Platform, d.Handle())
	return d.prepare()
}

// checkToken refuses a token that is not one: empty, too long, or with spaces or control
// characters (every push service's tokens are printable ASCII).
func checkToken(t string) error {
	switch {
	case t == "":
		return errors.New("is required for platforms fcm and apns")
	case len(t) > MaxTokenLen:
		return fmt.Errorf("is longer than %d bytes", MaxTokenLen)
	}
	for _, r := range t {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || r == ' ' {
			return errors.New("holds a character a push token never does (spaces, control characters or non-ASCII)")
		}
	}
	return nil
}

func (s *Subscription) check() error {
	if s == nil {
		return errors.New(" is required for platform webpush: {endpoint, keys: {p256dh, auth}}")
	}
	if s.Endpoint == "" {
		return errors.New(".endpoint is required")
	}
	if len(s.Endpoint) > MaxTokenLen {
		return fmt.Errorf(".endpoint is longer than %d bytes", MaxTokenLen)
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return errors.New(".endpoint is not an https URL")
	}
	if p, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s.Keys.P256dh, "=")); err != nil || len(p) != 65 || p[0] != 4 {
		return errors.New(".keys.p256dh is not a base64url uncompressed P-256 public key (65 bytes)")
	}
	if a, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s.Keys.Auth, "=")); err != nil || len(a) != 16 {
		return errors.New(".keys.auth is not a base64url 16-byte secret")
	}
	return nil
}

// within reports whether one of granted covers every business p covers.
func within(granted []model.Pattern, p model.Pattern) bool {
	for _, g := range granted {
		switch {
		case g.Type == "":
			return true
		case p.Type == "" || g.Type != p.Type:
		case g.ID == model.Wildcard || g.ID == p.ID:
			return true
		}
	}
	return false
}

// prepare parses the scope and filter patterns a stored device holds.
func (d *Device) prepare() error {
	d.scope, d.patterns = d.scope[:0], d.patterns[:0]
	for _, s := range d.Scope {
		p, err := model.ParsePattern(s)
		if err != nil {
			return fmt.Errorf("device %s: scope %q: %v", d.ID, s, err)
		}
		d.scope = append(d.scope, p)
	}
	for _, s := range d.Businesses {
		p, err := model.ParsePattern(s)
		if err != nil {
			return fmt.Errorf("device %s: business %q: %v", d.ID, s, err)
		}
		d.patterns = append(d.patterns, p)
	}
	return nil
}

// Selects reports whether the device receives a: its owner's scope covers it and its filter
// selects it.
func (d *Device) Selects(a *model.Alarm) bool {
	if !model.AnyCovers(d.scope, a.BusinessType, a.BusinessId) {
		return false
	}
	if len(d.Levels) > 0 && !slices.Contains(d.Levels, a.Level) {
		return false
	}
	return len(d.patterns) == 0 || model.AnyCovers(d.patterns, a.BusinessType, a.BusinessId)
}
