// Package acklink makes and checks the links that acknowledge an alarm from a notification:
// <publicUrl>/ack/<token>. A token is its claims (the alarm, the outlet and recipient it was sent
// to, when it was made and when it expires) and their HMAC-SHA256 under the first of the link
// keys; any of the keys verifies one (so keys rotate: add the new key first, drop the old one
// after ackLinkTTL). A token is a capability: whoever holds it may acknowledge that one alarm,
// once, until it expires. It is single-use through the store (see the ack page), not here.
package acklink

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// MinKeyLen is the shortest link key, in bytes (after base64 decoding).
const MinKeyLen = 32

// PathPrefix is where the links live, outside /api/v1.
const PathPrefix = "/ack/"

// Claims are what a token says.
type Claims struct {
	ID           string `json:"i"` // random: names the token in the store of used ones
	BusinessType string `json:"t"`
	BusinessId   string `json:"b"`
	AlarmId      string `json:"a"`
	Outlet       string `json:"o"`
	Recipient    string `json:"r"`
	Issued       int64  `json:"n"` // unix ms
	Expires      int64  `json:"e"` // unix ms
}

// Key is the alarm the claims name.
func (c Claims) Key() model.AlarmKey {
	return model.AlarmKey{BusinessType: c.BusinessType, BusinessId: c.BusinessId, AlarmId: c.AlarmId}
}

// AckedBy is who the acknowledgement is recorded as: "link:<outlet>:<recipient>", cut to the
// 128 bytes of a user name (at a character's start).
func (c Claims) AckedBy() string {
	var b strings.Builder
	for _, r := range "link:" + c.Outlet + ":" + c.Recipient {
		if unicode.IsControl(r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > model.MaxSegmentLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Errors of Parse.
var (
	ErrForged  = errors.New("this link is not one Pulse made (or it was cut short): open the one in the notification as it is")
	ErrExpired = errors.New("this link has expired: acknowledge the alarm in the console")
)

// Links makes and checks ack links. A nil *Links is links off: AckURL answers "".
type Links struct {
	base string   // publicUrl, without a trailing slash
	keys [][]byte // the first signs, all verify
	ttl  time.Duration
	now  func() time.Time
}

// New is the links of publicURL signed with keys (base64, each of at least MinKeyLen bytes),
// valid for ttl. Without publicURL links are off (nil, nil); with it, at least one key is needed.
func New(publicURL string, keys []string, ttl time.Duration) (*Links, error) {
	if publicURL == "" {
		return nil, nil
	}
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("notify.publicUrl: %q is not an http(s) URL without query: the base of ack links", publicURL)
	}
	if len(keys) == 0 {
		return nil, errors.New("notify.linkKeys: ack links (notify.publicUrl is set) need at least one key of 32 or more bytes, base64")
	}
	if ttl <= 0 {
		return nil, errors.New("notify.ackLinkTTL: must be positive")
	}
	l := &Links{base: strings.TrimSuffix(publicURL, "/"), ttl: ttl, now: time.Now}
	for i, k := range keys {
		b, err := decodeKey(k)
		if err != nil || len(b) < MinKeyLen {
			return nil, fmt.Errorf("notify.linkKeys[%d]: not base64 of %d or more bytes", i, MinKeyLen)
		}
		l.keys = append(l.keys, b)
	}
	return l, nil
}

func decodeKey(k string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(k); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// WithClock makes l read the time from now (tests).
func (l *Links) WithClock(now func() time.Time) *Links {
	c := *l
	c.now = now
	return &c
}

// AckURL is the link that acknowledges a for the recipient target of outlet; "" when links are off.
// It implements notify's Links.
func (l *Links) AckURL(outlet, target string, a model.Alarm) string {
	if l == nil {
		return ""
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	now := l.now()
	// A link is of the state its notification shows: one of a cleared alarm is issued at its
	// clear, so that the page counts that clear and the link never acknowledges a later raise.
	issued := now.UnixMilli()
	if a.Status == model.StatusCleared && a.ClearTime > 0 {
		issued = min(issued, a.ClearTime)
	}
	return l.base + PathPrefix + l.sign(Claims{ID: base64.RawURLEncoding.EncodeToString(id[:]),
		BusinessType: a.BusinessType, BusinessId: a.BusinessId, AlarmId: a.AlarmId, Outlet: outlet, Recipient: target,
		Issued: issued, Expires: now.Add(l.ttl).UnixMilli()})
}

// sign is the token of c under the first key.
func (l *Links) sign(c Claims) string {
	payload, _ := json.Marshal(c) // strings and numbers: cannot fail
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(l.keys[0], p))
}

// mac is the token's signature of its encoded claims p; the prefix keeps it from meaning
// anything in another use of the same key.
func mac(key []byte, p string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("pulse-ack-link.v1."))
	h.Write([]byte(p))
	return h.Sum(nil)
}

// Parse checks token (signed by one of the keys, not expired) and returns its claims.
func (l *Links) Parse(token string) (Claims, error) {
	var c Claims
	p, s, ok := strings.Cut(token, ".")
	if l == nil || !ok || len(token) > 2048 {
		return c, ErrForged
	}
	sig, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, ErrForged
	}
	valid := false
	for _, k := range l.keys {
		valid = hmac.Equal(sig, mac(k, p)) || valid
	}
	if !valid {
		return c, ErrForged
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &c) != nil || c.ID == "" || c.BusinessId == "" || c.AlarmId == "" {
		return Claims{}, ErrForged
	}
	if l.now().UnixMilli() >= c.Expires {
		return c, ErrExpired
	}
	return c, nil
}
