package ingestkey_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
)

// hashOf is the keySha256 of key.
func hashOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func spec(name, key string, businesses ...string) ingestkey.Spec {
	return ingestkey.Spec{
		Name:       name,
		KeySHA256:  hashOf(key),
		Allow:      []string{ingestkey.KindRowData, ingestkey.KindAlarm},
		Businesses: businesses,
	}
}

func mustNew(t *testing.T, specs ...ingestkey.Spec) *ingestkey.Keys {
	t.Helper()
	ks, err := ingestkey.New(specs)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func mustKey(t *testing.T, s ingestkey.Spec, key string) *ingestkey.Key {
	t.Helper()
	k, err := mustNew(t, s).Authenticate(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNewRefusesBadSpecs(t *testing.T) {
	good := spec("meter", "k1", "meter/*")
	with := func(change func(*ingestkey.Spec)) []ingestkey.Spec {
		s := good
		s.Allow = append([]string(nil), good.Allow...)
		s.Businesses = append([]string(nil), good.Businesses...)
		change(&s)
		return []ingestkey.Spec{s}
	}
	cases := []struct {
		name  string
		specs []ingestkey.Spec
		want  string
	}{
		{"empty name", with(func(s *ingestkey.Spec) { s.Name = " " }), "name is empty"},
		{"same name twice", []ingestkey.Spec{good, spec("meter", "k2", "*")}, `name "meter" is used twice`},
		{"same key twice", []ingestkey.Spec{good, spec("other", "k1", "*")}, `keySha256 is the same as that of "meter"`},
		{"no hash", with(func(s *ingestkey.Spec) { s.KeySHA256 = "" }), "64 hex digits"},
		{"short hash", with(func(s *ingestkey.Spec) { s.KeySHA256 = s.KeySHA256[:62] }), "64 hex digits"},
		{"not hex", with(func(s *ingestkey.Spec) { s.KeySHA256 = strings.Repeat("g", 64) }), "64 hex digits"},
		{"the key instead of its hash", with(func(s *ingestkey.Spec) { s.KeySHA256 = "k1" }), "64 hex digits"},
		{"no allow", with(func(s *ingestkey.Spec) { s.Allow = nil }), "allow is empty"},
		{"unknown kind", with(func(s *ingestkey.Spec) { s.Allow = []string{"rowdata", "alarms"} }), `allow: "alarms"`},
		{"no businesses", with(func(s *ingestkey.Spec) { s.Businesses = nil }), "businesses is empty"},
		{"bad pattern", with(func(s *ingestkey.Spec) { s.Businesses = []string{"meter/*", "meter"} }), `businesses: "meter"`},
		{"pattern */I", with(func(s *ingestkey.Spec) { s.Businesses = []string{"*/m-1"} }), `businesses: "*/m-1"`},
		{"negative rate", with(func(s *ingestkey.Spec) { s.Rate = -1 }), "rate must be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ingestkey.New(c.specs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New: %v, want an error containing %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "auth.ingestKeys[") {
				t.Errorf("error %q does not name the entry", err)
			}
		})
	}
}

func TestNewAcceptsUpperCaseHexAndNoKeys(t *testing.T) {
	s := spec("meter", "k1", "*")
	s.KeySHA256 = strings.ToUpper(s.KeySHA256)
	if k := mustKey(t, s, "k1"); k.Name() != "meter" {
		t.Fatalf("Name = %q", k.Name())
	}
	if ks := mustNew(t); ks.Len() != 0 {
		t.Fatalf("Len = %d", ks.Len())
	}
}

// TestAuthenticate finds every entry by its key (first, middle and last, so that comparing all of
// them does not lose the match), and refuses wrong, empty and near-miss keys.
func TestAuthenticate(t *testing.T) {
	ks := mustNew(t, spec("a", "key-a", "*"), spec("b", "key-b", "*"), spec("c", "key-c", "*"))
	for _, name := range []string{"a", "b", "c"} {
		k, err := ks.Authenticate("key-" + name)
		if err != nil || k.Name() != name {
			t.Errorf("Authenticate(key-%s) = %v, %v; want key %q", name, k, err, name)
		}
	}
	refused := []struct {
		presented string
		want      error
	}{
		{"", ingestkey.ErrNoKey},
		{"key-d", ingestkey.ErrUnknownKey},
		{"key-a ", ingestkey.ErrUnknownKey},
		{"KEY-A", ingestkey.ErrUnknownKey},
		{hashOf("key-a"), ingestkey.ErrUnknownKey}, // the stored hash is not a key
	}
	for _, r := range refused {
		k, err := ks.Authenticate(r.presented)
		if !errors.Is(err, r.want) || k != nil {
			t.Errorf("Authenticate(%q) = %v, %v; want %v", r.presented, k, err, r.want)
		}
		if r.presented != "" && strings.Contains(err.Error(), r.presented) {
			t.Errorf("error %q contains the presented key", err)
		}
	}
	if _, err := mustNew(t).Authenticate("key-a"); !errors.Is(err, ingestkey.ErrUnknownKey) {
		t.Errorf("without keys: %v, want ErrUnknownKey", err)
	}
}

// TestKeyNeverPrinted: a Key in a log line shows its name, never the key nor its hash.
func TestKeyNeverPrinted(t *testing.T) {
	const secret = "s3cret-ingest-key"
	k := mustKey(t, spec("meter-collector", secret, "*"), secret)
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(format, k)
		if strings.Contains(out, secret) || strings.Contains(out, hashOf(secret)) {
			t.Errorf("%s shows the key or its hash: %s", format, out)
		}
		if !strings.Contains(out, "meter-collector") {
			t.Errorf("%s does not name the key: %s", format, out)
		}
	}
}

func TestAllows(t *testing.T) {
	const (
		row   = ingestkey.KindRowData
		alarm = ingestkey.KindAlarm
	)
	cases := []struct {
		allow    []string
		patterns []string
		kind     string
		typ, id  string
		want     bool
	}{
		// T/I: that business only.
		{nil, []string{"meter/m-1"}, row, "meter", "m-1", true},
		{nil, []string{"meter/m-1"}, alarm, "meter", "m-1", true},
		{nil, []string{"meter/m-1"}, row, "meter", "m-10", false},
		{nil, []string{"meter/m-1"}, row, "pump", "m-1", false},
		{nil, []string{"meter/m-1"}, row, "meter", "", false}, // broadcast to meter
		// T/*: every id of T, but no broadcast, not even to T (the contract: a broadcast needs *).
		{nil, []string{"meter/*"}, row, "meter", "m-1", true},
		{nil, []string{"meter/*"}, alarm, "meter", "m-99", true},
		{nil, []string{"meter/*"}, row, "pump", "m-1", false},
		{nil, []string{"meter/*"}, row, "meter", "", false},
		{nil, []string{"meter/*"}, row, "", "", false},
		// *: everything, broadcasts included.
		{nil, []string{"*"}, row, "meter", "m-1", true},
		{nil, []string{"*"}, row, "meter", "", true},
		{nil, []string{"*"}, row, "", "", true},
		{nil, []string{"*"}, alarm, "pump", "p-7", true},
		// Several patterns: any one covers.
		{nil, []string{"meter/*", "pump/p-7"}, row, "pump", "p-7", true},
		{nil, []string{"meter/*", "pump/p-7"}, row, "pump", "p-8", false},
		{nil, []string{"meter/*", "*"}, row, "", "", true},
		// The kind must be allowed too.
		{[]string{row}, []string{"*"}, alarm, "meter", "m-1", false},
		{[]string{row}, []string{"*"}, row, "meter", "m-1", true},
		{[]string{alarm}, []string{"*"}, row, "meter", "m-1", false},
		{[]string{alarm}, []string{"meter/*"}, alarm, "meter", "m-1", true},
		{nil, []string{"*"}, "alarms", "meter", "m-1", false},
		{nil, []string{"*"}, "", "meter", "m-1", false},
	}
	for _, c := range cases {
		s := spec("k", "key", c.patterns...)
		if c.allow != nil {
			s.Allow = c.allow
		}
		k := mustKey(t, s, "key")
		if got := k.Allows(c.kind, c.typ, c.id); got != c.want {
			t.Errorf("allow %v, businesses %v: Allows(%q, %q, %q) = %v, want %v",
				s.Allow, c.patterns, c.kind, c.typ, c.id, got, c.want)
		}
	}
}

func TestCheckBatch(t *testing.T) {
	s := spec("meter", "key", "meter/*", "pump/p-7")
	s.Allow = []string{ingestkey.KindRowData}
	k := mustKey(t, s, "key")
	batch := []ingestkey.Item{{"meter", "m-1"}, {"pump", "p-7"}, {"meter", "m-2"}}
	if i, ok := k.CheckBatch(ingestkey.KindRowData, batch); !ok || i != -1 {
		t.Errorf("covered batch: %d, %v; want -1, true", i, ok)
	}
	mixed := append(batch, ingestkey.Item{"pump", "p-8"}, ingestkey.Item{"meter", ""}, ingestkey.Item{"boiler", "b-1"})
	if i, ok := k.CheckBatch(ingestkey.KindRowData, mixed); ok || i != 3 {
		t.Errorf("mixed batch: %d, %v; want 3 (pump/p-8), false", i, ok)
	}
	if i, ok := k.CheckBatch(ingestkey.KindRowData, []ingestkey.Item{{"meter", "m-1"}, {"meter", ""}}); ok || i != 1 {
		t.Errorf("batch with a broadcast: %d, %v; want 1, false", i, ok)
	}
	if i, ok := k.CheckBatch(ingestkey.KindAlarm, batch); ok || i != 0 {
		t.Errorf("kind not allowed: %d, %v; want 0, false", i, ok)
	}
	if i, ok := k.CheckBatch(ingestkey.KindAlarm, nil); ok || i != 0 {
		t.Errorf("empty batch of a kind not allowed: %d, %v; want 0, false", i, ok)
	}
}

// TestAllowRate drives the limiter with an injected clock: a full burst of 2 x rate, then
// refusals with a Retry-After of whole seconds, then tokens back as time passes.
func TestAllowRate(t *testing.T) {
	s := spec("meter", "key", "*")
	s.Rate = 2 // burst 4
	k := mustKey(t, s, "key")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		if ok, _ := k.Allow(t0); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := k.Allow(t0)
	if ok || retry != time.Second { // one token in 0.5 s, rounded up
		t.Fatalf("over the burst: %v, %v; want false, 1s", ok, retry)
	}
	if got := ingestkey.RetryAfterSeconds(retry); got != "1" {
		t.Errorf("RetryAfterSeconds = %q", got)
	}
	// 0.5 s later one token is back, and only one.
	if ok, _ := k.Allow(t0.Add(500 * time.Millisecond)); !ok {
		t.Fatal("refused after a token came back")
	}
	if ok, retry := k.Allow(t0.Add(500 * time.Millisecond)); ok || retry < time.Second {
		t.Fatalf("second request after one token came back: %v, %v", ok, retry)
	}
	// Long after, the bucket is full again: 4 requests, not more.
	later := t0.Add(time.Minute)
	for i := range 4 {
		if ok, _ := k.Allow(later); !ok {
			t.Fatalf("request %d of the refilled burst refused", i+1)
		}
	}
	if ok, _ := k.Allow(later); ok {
		t.Fatal("fifth request of the refilled burst allowed")
	}
}

// TestAllowSlowRate: below 0.5/s the burst is still one request, and Retry-After is the seconds
// until the next, rounded up.
func TestAllowSlowRate(t *testing.T) {
	s := spec("slow", "key", "*")
	s.Rate = 0.3 // one request every 3.33 s
	k := mustKey(t, s, "key")
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if ok, _ := k.Allow(t0); !ok {
		t.Fatal("first request refused")
	}
	if ok, retry := k.Allow(t0); ok || retry != 4*time.Second {
		t.Fatalf("second request: %v, %v; want false, 4s", ok, retry)
	}
	if ok, retry := k.Allow(t0.Add(3 * time.Second)); ok || retry != time.Second {
		t.Fatalf("after 3 s: %v, %v; want false, 1s", ok, retry)
	}
	if ok, _ := k.Allow(t0.Add(4 * time.Second)); !ok {
		t.Fatal("refused after 4 s")
	}
}

func TestAllowRateZeroIsUnlimited(t *testing.T) {
	k := mustKey(t, spec("meter", "key", "*"), "key")
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		if ok, retry := k.Allow(now); !ok || retry != 0 {
			t.Fatalf("request %d: %v, %v", i, ok, retry)
		}
	}
}

func TestFromRequest(t *testing.T) {
	cases := []struct {
		headers map[string]string
		key     string
		ok      bool
	}{
		{map[string]string{"Authorization": "Bearer k-1"}, "k-1", true},
		{map[string]string{"Authorization": "bearer k-1"}, "k-1", true},
		{map[string]string{"X-API-Key": "k-2"}, "k-2", true},
		{map[string]string{"Authorization": "Bearer k-1", "X-API-Key": "k-2"}, "k-1", true},
		{map[string]string{"Authorization": "Basic dTpw", "X-API-Key": "k-2"}, "k-2", true},
		{map[string]string{"Authorization": "Basic dTpw"}, "", false},
		{map[string]string{"Authorization": "Bearer "}, "", false},
		{map[string]string{"Authorization": "Bearer"}, "", false},
		{map[string]string{"X-API-Key": " "}, "", false},
		{map[string]string{}, "", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/api/v1/rowdata", nil)
		for name, value := range c.headers {
			r.Header.Set(name, value)
		}
		key, ok := ingestkey.FromRequest(r)
		if key != c.key || ok != c.ok {
			t.Errorf("%v: %q, %v; want %q, %v", c.headers, key, ok, c.key, c.ok)
		}
	}
}

// TestAllowExtremeRates: a huge rate does not overflow the burst, and a tiny one does not
// overflow Retry-After.
func TestAllowExtremeRates(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := spec("huge", "key", "*")
	s.Rate = 1e300
	k := mustKey(t, s, "key")
	for i := range 1000 {
		if ok, _ := k.Allow(now); !ok {
			t.Fatalf("huge rate: request %d refused", i+1)
		}
	}
	s.Rate = 1e-300
	k = mustKey(t, s, "key")
	if ok, _ := k.Allow(now); !ok {
		t.Fatal("tiny rate: first request refused")
	}
	if ok, retry := k.Allow(now); ok || retry != 24*time.Hour {
		t.Fatalf("tiny rate: %v, %v; want false, 24h", ok, retry)
	}
}

// TestChargeItems: a request's items cost one token each (Allow the first, ChargeItems the rest);
// over the rate, Retry-After is the wait until the whole request fits; Burst is 2 x rate, 0 for an
// unlimited key.
func TestChargeItems(t *testing.T) {
	s := spec("meter", "key", "*")
	s.Rate = 5 // burst 10
	k := mustKey(t, s, "key")
	if k.Burst() != 10 {
		t.Fatalf("Burst %d, want 10", k.Burst())
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if ok, _ := k.Allow(t0); !ok {
		t.Fatal("first item refused")
	}
	if ok, _ := k.ChargeItems(t0, 8); !ok { // 8 items: 1 + 7 more; 2 tokens left
		t.Fatal("a batch of 8 within the burst refused")
	}
	if ok, _ := k.Allow(t0); !ok { // 1 left
		t.Fatal("the next request's first item refused")
	}
	ok, retry := k.ChargeItems(t0, 5) // needs 4 more, has 1
	if ok || retry != time.Second {   // the whole request (5) needs 4 more tokens: 0.8 s, rounded up
		t.Fatalf("a batch of 5 with 2 tokens: %v, %v; want false, 1s", ok, retry)
	}
	if ok, _ := k.ChargeItems(t0, 1); !ok {
		t.Fatal("a request of one item is charged again after Allow")
	}
	s.Rate = 0
	if k := mustKey(t, s, "key"); k.Burst() != 0 {
		t.Fatalf("unlimited key: Burst %d, want 0", k.Burst())
	} else if ok, _ := k.ChargeItems(t0, 1_000_000); !ok {
		t.Fatal("unlimited key refused")
	}
}
