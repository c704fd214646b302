package middleware

import (
	"net/http/httptest"
	"testing"
)

// TestOrigins: which origins the list names (CORS answers) and which may open a WebSocket. An
// empty list allows the server's own origin only; "*" any; a list names its origins, in any case,
// with or without a trailing slash, and then the server's own origin needs an entry too. A client
// that sends no Origin (not a browser) may always upgrade.
func TestOrigins(t *testing.T) {
	const host = "pulse.example:8000"
	for _, tc := range []struct {
		name    string
		list    []string
		origin  string
		listed  bool
		upgrade bool
	}{
		{"no list, no origin", nil, "", false, true},
		{"no list, own origin", nil, "http://pulse.example:8000", false, true},
		{"no list, own origin in capitals", nil, "http://PULSE.example:8000", false, true},
		{"no list, own host on another port", nil, "http://pulse.example:8001", false, false},
		{"no list, another origin", nil, "https://evil.example", false, false},
		{"no list, unparsable origin", nil, "::", false, false},
		{"any, another origin", []string{"*"}, "https://evil.example", true, true},
		{"any, no origin", []string{"*"}, "", false, true},
		{"listed", []string{"https://App.example/"}, "https://app.example", true, true},
		{"listed, in capitals", []string{"https://app.example"}, "https://APP.example", true, true},
		{"listed, other scheme", []string{"https://app.example"}, "http://app.example", false, false},
		{"listed, other port", []string{"https://app.example:8443"}, "https://app.example", false, false},
		{"a list, own origin not on it", []string{"https://app.example"}, "http://pulse.example:8000", false, false},
		{"a list, no origin", []string{"https://app.example"}, "", false, true},
		{"one of several", []string{"https://a.example", "https://b.example"}, "https://b.example", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOrigins(tc.list)
			if got := o.Listed(tc.origin); got != tc.listed {
				t.Errorf("Listed(%q) = %v, want %v", tc.origin, got, tc.listed)
			}
			r := httptest.NewRequest("GET", "http://"+host+"/ws/alarm", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if got := o.AllowUpgrade(r); got != tc.upgrade {
				t.Errorf("AllowUpgrade from %q = %v, want %v", tc.origin, got, tc.upgrade)
			}
		})
	}
}
