// Package ingestkey holds the API keys of ingest services (auth.ingestKeys): it recognises a
// presented key by its SHA-256, says what the key may publish, and limits its rate. The key
// itself is never stored, logged or put in an error: a key is known by its name.
//
// The package knows nothing of GoFrame; its errors are plain values the HTTP layer maps to
// statuses: ErrNoKey and ErrUnknownKey to 401, a refused CheckBatch to 403, a refused Allow to
// 429 with Retry-After.
package ingestkey

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// The kinds of data a key may publish (Spec.Allow).
const (
	KindRowData = "rowdata" // POST /api/v1/rowdata
	KindAlarm   = "alarm"   // POST /api/v1/alarm
	KindNotice  = "notice"  // POST /api/v1/users/{user}/notices
)

// Errors of Authenticate; both mean HTTP 401. Neither contains the presented key.
var (
	ErrNoKey      = errors.New("no ingest key")
	ErrUnknownKey = errors.New("unknown ingest key")
)

// Spec is one entry of auth.ingestKeys. It has the fields of config.IngestKey in the same order,
// so that the wiring converts one into the other with ingestkey.Spec(k) without this package
// importing config (which would bring in GoFrame).
type Spec struct {
	Name       string   `json:"name"`       // shown in logs and metrics, never the key
	KeySHA256  string   `json:"keySha256"`  // hex SHA-256 of the key
	Allow      []string `json:"allow"`      // KindRowData, KindAlarm, KindNotice
	Businesses []string `json:"businesses"` // business patterns: "T/I", "T/*", "*"
	Rate       float64  `json:"rate"`       // items per second; 0 = unlimited; burst 2 x rate
}

// Keys are the configured ingest keys.
type Keys struct {
	keys []*Key
}

// Key is one configured ingest key, as Authenticate found it. It holds the key's SHA-256, never
// the key.
type Key struct {
	name       string
	hash       [sha256.Size]byte
	rowData    bool // may publish row data
	alarm      bool // may publish alarms
	notice     bool // may send notices to users
	broadcast  bool // has the pattern "*", which alone covers a broadcast
	businesses []model.Pattern
	limiter    *rate.Limiter // nil: unlimited
}

// Item is the business of one item of a batch.
type Item struct {
	Type, ID string
}

// New checks specs as config does (names non-empty and unique, keySha256 64 hex digits and
// unique, allow a non-empty subset of rowdata, alarm and notice, businesses non-empty valid patterns,
// rate a finite number >= 0) and returns the keys.
func New(specs []Spec) (*Keys, error) {
	ks := &Keys{keys: make([]*Key, 0, len(specs))}
	names := make(map[string]bool, len(specs))
	hashes := make(map[[sha256.Size]byte]string, len(specs))
	for i, s := range specs {
		k, err := newKey(s)
		if err != nil {
			return nil, fmt.Errorf("auth.ingestKeys[%d]: %w", i, err)
		}
		if names[k.name] {
			return nil, fmt.Errorf("auth.ingestKeys[%d]: name %q is used twice", i, k.name)
		}
		if other, dup := hashes[k.hash]; dup {
			// The hash stays out of the message: it is as good as the key for finding it elsewhere.
			return nil, fmt.Errorf("auth.ingestKeys[%d] (%q): keySha256 is the same as that of %q", i, k.name, other)
		}
		names[k.name], hashes[k.hash] = true, k.name
		ks.keys = append(ks.keys, k)
	}
	return ks, nil
}

func newKey(s Spec) (*Key, error) {
	if strings.TrimSpace(s.Name) == "" {
		return nil, errors.New("name is empty")
	}
	k := &Key{name: s.Name}
	if len(s.KeySHA256) != hex.EncodedLen(sha256.Size) {
		return nil, fmt.Errorf("%q: keySha256 must be 64 hex digits (the SHA-256 of the key, as `pulse key` prints it)", s.Name)
	}
	if _, err := hex.Decode(k.hash[:], []byte(s.KeySHA256)); err != nil {
		return nil, fmt.Errorf("%q: keySha256 must be 64 hex digits (the SHA-256 of the key, as `pulse key` prints it)", s.Name)
	}
	if len(s.Allow) == 0 {
		return nil, fmt.Errorf("%q: allow is empty; give one or more of %q, %q and %q", s.Name, KindRowData, KindAlarm, KindNotice)
	}
	for _, kind := range s.Allow {
		switch kind {
		case KindRowData:
			k.rowData = true
		case KindAlarm:
			k.alarm = true
		case KindNotice:
			k.notice = true
		default:
			return nil, fmt.Errorf("%q: allow: %q is none of %q, %q and %q", s.Name, kind, KindRowData, KindAlarm, KindNotice)
		}
	}
	if len(s.Businesses) == 0 {
		return nil, fmt.Errorf(`%q: businesses is empty; give patterns such as "meter/*" or "*"`, s.Name)
	}
	for _, b := range s.Businesses {
		p, err := model.ParsePattern(b)
		if err != nil {
			return nil, fmt.Errorf("%q: businesses: %q: %w", s.Name, b, err)
		}
		k.businesses = append(k.businesses, p)
		k.broadcast = k.broadcast || p == model.Pattern{}
	}
	if math.IsNaN(s.Rate) || math.IsInf(s.Rate, 0) || s.Rate < 0 {
		return nil, fmt.Errorf("%q: rate must be a number >= 0 (0: unlimited)", s.Name)
	}
	if s.Rate > 0 {
		// burst = 2 x rate: at least one request, or a rate below 0.5/s would refuse everything,
		// and at most what an int holds everywhere.
		burst := int(min(max(1, math.Ceil(2*s.Rate)), math.MaxInt32))
		k.limiter = rate.NewLimiter(rate.Limit(s.Rate), burst)
	}
	return k, nil
}

// Len is the number of keys.
func (ks *Keys) Len() int { return len(ks.keys) }

// Authenticate finds the key whose SHA-256 is that of presented: ErrNoKey when presented is
// empty, ErrUnknownKey when no key matches. Every configured hash is compared, in constant time,
// so that the time taken says nothing about which entry (if any) matched.
func (ks *Keys) Authenticate(presented string) (*Key, error) {
	if presented == "" {
		return nil, ErrNoKey
	}
	sum := sha256.Sum256([]byte(presented))
	match := -1
	for i, k := range ks.keys {
		match = subtle.ConstantTimeSelect(subtle.ConstantTimeCompare(sum[:], k.hash[:]), i, match)
	}
	if match < 0 {
		return nil, ErrUnknownKey
	}
	return ks.keys[match], nil
}

// FromRequest is the key an ingest request presents, as "Authorization: Bearer <key>" or
// "X-API-Key: <key>"; false when it presents none.
func FromRequest(r *http.Request) (string, bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		// The scheme is case-insensitive (RFC 9110, 11.1).
		scheme, key, ok := strings.Cut(auth, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			if key = strings.TrimSpace(key); key != "" {
				return key, true
			}
		}
	}
	if key := strings.TrimSpace(r.Header.Get("X-API-Key")); key != "" {
		return key, true
	}
	return "", false
}

// Name is the key's name, for logs and metrics.
func (k *Key) Name() string { return k.name }

// String names the key; it never shows the key or its hash.
func (k *Key) String() string { return fmt.Sprintf("ingest key %q", k.name) }

// GoString is String, so that %#v does not print the hash either.
func (k *Key) GoString() string { return k.String() }

// AllowsKind reports whether the key may publish kind (KindRowData, KindAlarm, KindNotice) at all.
func (k *Key) AllowsKind(kind string) bool {
	switch kind {
	case KindRowData:
		return k.rowData
	case KindAlarm:
		return k.alarm
	case KindNotice:
		return k.notice
	}
	return false
}

// Allows reports whether the key may publish an item of kind for the business (typ, id). An item
// with an empty typ or id (a row-data broadcast) needs the pattern "*", as the contract says: a
// key with "T/*" may not broadcast to type T.
func (k *Key) Allows(kind, typ, id string) bool {
	if !k.AllowsKind(kind) {
		return false
	}
	if typ == "" || id == "" {
		return k.broadcast
	}
	return model.AnyCovers(k.businesses, typ, id)
}

// CheckBatch returns the index of the first item of a batch of kind that the key may not publish,
// and false; or -1 and true when it may publish them all. A batch is refused whole (403) when one
// item is not covered. When the kind itself is not allowed the first item is named (index 0), even
// in an empty batch.
func (k *Key) CheckBatch(kind string, items []Item) (index int, ok bool) {
	if !k.AllowsKind(kind) {
		return 0, false
	}
	for i, it := range items {
		if !k.Allows(kind, it.Type, it.ID) {
			return i, false
		}
	}
	return -1, true
}

// maxRetryAfter bounds the Retry-After of a very slow rate, which would otherwise overflow.
const maxRetryAfter = 24 * time.Hour

// Allow takes one item from the key's rate at now, when a request arrives (before its body is
// read, so that a flood is refused cheaply); ChargeItems takes the rest once they are counted.
// When the key is over its rate it returns false and how long the client should wait, rounded up
// to whole seconds and at least 1 s, for the Retry-After header (at most a day). A key with rate 0
// is never refused.
func (k *Key) Allow(now time.Time) (ok bool, retryAfter time.Duration) {
	if k.limiter == nil || k.limiter.AllowN(now, 1) {
		return true, 0
	}
	// Whole seconds until one token is back; a concurrent request may take it first, which only
	// makes the hint a little optimistic.
	secs := math.Ceil((1 - k.limiter.TokensAt(now)) / float64(k.limiter.Limit()))
	return false, time.Duration(min(max(1, secs), maxRetryAfter.Seconds())) * time.Second
}

// ChargeItems charges the items of a request that Allow admitted, which took one: items-1 more.
// An ingest key's rate counts items, so that a request of a thousand items costs what a thousand
// requests of one do. Over the rate it returns false and how long to wait before sending the whole
// request again, as Allow does. A batch larger than Burst can never pass (see Burst).
func (k *Key) ChargeItems(now time.Time, items int) (ok bool, retryAfter time.Duration) {
	if k.limiter == nil || items <= 1 || k.limiter.AllowN(now, items-1) {
		return true, 0
	}
	secs := math.Ceil((float64(items) - k.limiter.TokensAt(now)) / float64(k.limiter.Limit()))
	return false, time.Duration(min(max(1, secs), maxRetryAfter.Seconds())) * time.Second
}

// Burst is the most items the key may send at once (2 x rate); 0 when it is unlimited.
func (k *Key) Burst() int {
	if k.limiter == nil {
		return 0
	}
	return k.limiter.Burst()
}

// RetryAfterSeconds is retryAfter as the value of a Retry-After header.
func RetryAfterSeconds(retryAfter time.Duration) string {
	return strconv.FormatInt(int64(retryAfter/time.Second), 10)
}

// ForSource returns the grants of a broker source (ingest.mqtt, ingest.nats): a key named name
// that may publish both kinds within businesses, at no rate, that no request can present (it has
// no hash and is in no Keys). The broker's message is checked with it as an HTTP request is with
// its key, so that both publish under the same rules.
func ForSource(name string, businesses []string) (*Key, error) {
	k := &Key{name: name, rowData: true, alarm: true}
	if len(businesses) == 0 {
		return nil, fmt.Errorf(`%q: businesses is empty; give patterns such as "meter/*" or "*"`, name)
	}
	for _, b := range businesses {
		p, err := model.ParsePattern(b)
		if err != nil {
			return nil, fmt.Errorf("%q: businesses: %q: %w", name, b, err)
		}
		k.businesses = append(k.businesses, p)
		k.broadcast = k.broadcast || p == model.Pattern{}
	}
	return k, nil
}
