package middleware

import (
	"net/http"
	"strings"
)

// corsPolicy says which other origins' pages may call the API: those ws.allowedOrigins lists
// ("*": any). Pages of the server's own origin need no CORS.
type corsPolicy struct {
	any     bool
	allowed map[string]bool // lower-cased "scheme://host[:port]"
}

func newCORSPolicy(origins []string) corsPolicy {
	p := corsPolicy{allowed: map[string]bool{}}
	for _, o := range origins {
		p.any = p.any || o == "*"
		p.allowed[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return p
}

func (p corsPolicy) allows(origin string) bool {
	return origin != "" && (p.any || p.allowed[strings.ToLower(origin)])
}

// allowOrigin lets the page of r's origin read the answer, when the policy allows that origin.
func (p corsPolicy) allowOrigin(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); p.allows(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
	}
}
