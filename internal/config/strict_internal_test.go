package config

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckOrigin: an accepted allowedOrigins entry is exactly what a browser could send in an
// Origin header: http or https, a host, no path, query, fragment or user.
func FuzzCheckOrigin(f *testing.F) {
	for _, s := range []string{"*", "evil.example", "https://a.example", "http://a.example:8080/", "https://u@a.example",
		"https://a.example:443", "https://[::1]:8443", "https://a%2eexample", "HTTPS://A.example", "https://a.example:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkOrigin(s) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
			!strings.HasPrefix(strings.ToLower(s), u.Scheme+"://") {
			t.Fatalf("accepted %q", s)
		}
		host := strings.TrimSuffix(s[len(u.Scheme)+3:], "/")
		if strings.ContainsAny(host, "/?#@% \t") || strings.HasSuffix(host, ":") {
			t.Fatalf("accepted %q: host part %q", s, host)
		}
	})
}
