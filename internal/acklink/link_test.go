package acklink

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

var (
	oldKey = base64.StdEncoding.EncodeToString([]byte("the-old-link-key-of-32-bytes-at-least!"))
	newKey = base64.StdEncoding.EncodeToString([]byte("the-new-link-key-of-32-bytes-at-least!"))
	alarm  = model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: "a-1", BusinessType: "meter", BusinessId: "m-1"}}
)

func mustNew(t *testing.T, keys ...string) *Links {
	t.Helper()
	l, err := New("https://pulse.example.com/", keys, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func tokenOf(t *testing.T, url string) string {
	t.Helper()
	token, ok := strings.CutPrefix(url, "https://pulse.example.com/ack/")
	if !ok {
		t.Fatalf("link %s is not under publicUrl/ack/", url)
	}
	return token
}

// TestLinkRoundTrip: a link names the alarm, outlet and recipient, and verifies under the key
// that signed it; each link is another (its own id).
func TestLinkRoundTrip(t *testing.T) {
	l := mustNew(t, oldKey)
	u := l.AckURL("ops-mail", "oncall@example.com", alarm)
	c, err := l.Parse(tokenOf(t, u))
	if err != nil {
		t.Fatal(err)
	}
	if c.Key() != alarm.Key() || c.Outlet != "ops-mail" || c.Recipient != "oncall@example.com" || c.Expires-c.Issued != time.Hour.Milliseconds() {
		t.Fatalf("claims %+v", c)
	}
	if c.AckedBy() != "link:ops-mail:oncall@example.com" {
		t.Fatalf("ackedBy %q", c.AckedBy())
	}
	if u2 := l.AckURL("ops-mail", "oncall@example.com", alarm); u2 == u {
		t.Fatal("two links are the same: they could not be used once each")
	}
}

// TestLinkRotation: a link signed by the old key verifies while the old key is listed after the
// new one, and is forged once it is dropped; new links are signed by the first key.
func TestLinkRotation(t *testing.T) {
	token := tokenOf(t, mustNew(t, oldKey).AckURL("o", "r", alarm))
	if _, err := mustNew(t, newKey, oldKey).Parse(token); err != nil {
		t.Fatalf("during the rotation: %v", err)
	}
	if _, err := mustNew(t, newKey).Parse(token); !errors.Is(err, ErrForged) {
		t.Fatalf("after the rotation: %v, want forged", err)
	}
	fresh := tokenOf(t, mustNew(t, newKey, oldKey).AckURL("o", "r", alarm))
	if _, err := mustNew(t, newKey).Parse(fresh); err != nil {
		t.Fatalf("a link of the rotation under the new key alone: %v", err)
	}
}

// TestLinkRefusals: a changed, cut or made-up token is forged; an old one has expired.
func TestLinkRefusals(t *testing.T) {
	l := mustNew(t, oldKey)
	token := tokenOf(t, l.AckURL("o", "r", alarm))
	p, s, _ := strings.Cut(token, ".")
	other := tokenOf(t, l.AckURL("o", "someone-else", alarm))
	op, _, _ := strings.Cut(other, ".")
	for name, bad := range map[string]string{
		"cut":            token[:len(token)-3],
		"no signature":   p,
		"other claims":   op + "." + s,
		"empty":          "",
		"garbage":        "not-a-token.at-all",
		"signature only": "." + s,
	} {
		if _, err := l.Parse(bad); !errors.Is(err, ErrForged) {
			t.Errorf("%s: %v, want forged", name, err)
		}
	}
	past := l.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })
	if _, err := l.Parse(tokenOf(t, past.AckURL("o", "r", alarm))); !errors.Is(err, ErrExpired) {
		t.Fatalf("a link of two hours ago (ttl 1h): %v, want expired", err)
	}
	var off *Links
	if off.AckURL("o", "r", alarm) != "" {
		t.Fatal("links off make a link")
	}
}

// TestNewRefuses: keys too short or not base64, a bad URL, no key: a refused configuration.
func TestNewRefuses(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("short"))
	for name, c := range map[string]struct {
		url  string
		keys []string
	}{
		"short key": {"https://p.example.com", []string{short}},
		"not b64":   {"https://p.example.com", []string{"%%%"}},
		"no key":    {"https://p.example.com", nil},
		"bad url":   {"ftp://p.example.com", []string{oldKey}},
		"query":     {"https://p.example.com/?x=1", []string{oldKey}},
	} {
		if _, err := New(c.url, c.keys, time.Hour); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if l, err := New("", []string{oldKey}, time.Hour); l != nil || err != nil {
		t.Fatalf("without publicUrl: %v %v, want links off", l, err)
	}
}

// TestAckedByIsAName: a long recipient is cut to a user name's 128 bytes, at a character.
func TestAckedByIsAName(t *testing.T) {
	c := Claims{Outlet: "mail", Recipient: strings.Repeat("é", 100)}
	got := c.AckedBy()
	if len(got) > model.MaxSegmentLen || model.CheckName(got) != nil {
		t.Fatalf("ackedBy %q (%d bytes) is not a name", got, len(got))
	}
}
