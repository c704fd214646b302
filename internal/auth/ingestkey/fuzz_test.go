package ingestkey_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
)

// FuzzNew: any entry is accepted or refused with an error naming it, never a panic; an accepted
// one authenticates its key and only its key, and never prints it.
func FuzzNew(f *testing.F) {
	f.Add("meter", "k-1", "rowdata", "meter/*", 0.0, "k-1")
	f.Add("m", "k", "alarm", "*", 2.5, "k ")
	f.Add("", "k", "rowdata", "meter/m-1", -1.0, "")
	f.Add("x", "k", "alarms", "meter", 1e300, "x")
	f.Fuzz(func(t *testing.T, name, key, allow, business string, rate float64, presented string) {
		s := ingestkey.Spec{Name: name, KeySHA256: hashOf(key), Allow: []string{allow}, Businesses: []string{business}, Rate: rate}
		ks, err := ingestkey.New([]ingestkey.Spec{s})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "auth.ingestKeys[0]") {
				t.Fatalf("error %q does not name the entry", err)
			}
			return
		}
		k, err := ks.Authenticate(presented)
		if (err == nil) != (presented == key && key != "") {
			t.Fatalf("Authenticate(%q) with key %q: %v", presented, key, err)
		}
		if err != nil && err != ingestkey.ErrNoKey && err != ingestkey.ErrUnknownKey { // fixed texts, no key in them
			t.Fatalf("Authenticate error %q", err)
		}
		if k != nil {
			if want := fmt.Sprintf("ingest key %q", name); k.String() != want { // the name, nothing else
				t.Fatalf("String = %q, want %q", k, want)
			}
			k.Allows(allow, "meter", "m-1")
			k.Allow(time.Time{})
		}
	})
}
