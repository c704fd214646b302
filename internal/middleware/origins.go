package middleware

import (
	"net/http"
	"net/url"
	"strings"
)

// Origins is ws.allowedOrigins: which browser origins may open a WebSocket and call the API from
// their pages. Empty means the server's own origin only, "*" any.
type Origins struct {
	any     bool
	allowed map[string]bool // lower-cased "scheme://host[:port]"
}

// NewOrigins reads the ws.allowedOrigins list.
func NewOrigins(list []string) Origins {
	o := Origins{allowed: map[string]bool{}}
	for _, origin := range list {
		o.any = o.any || origin == "*"
		o.allowed[strings.ToLower(strings.TrimSuffix(origin, "/"))] = true
	}
	return o
}

// Listed reports whether the list allows origin (CORS: the server's own pages need no entry).
func (o Origins) Listed(origin string) bool {
	return origin != "" && (o.any || o.allowed[strings.ToLower(origin)])
}

// AllowUpgrade reports whether r may open a WebSocket: clients that send no Origin (native apps,
// servers) may; a browser's origin must be listed, or be the server's own when the list is empty.
func (o Origins) AllowUpgrade(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || o.Listed(origin) {
		return true
	}
	if len(o.allowed) > 0 {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// allowCORS lets the page of r's origin read the answer, when the origin is listed.
func (o Origins) allowCORS(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); o.Listed(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
		w.Header().Set("Access-Control-Expose-Headers", "Idempotent-Replayed") // a replayed ingest answer
	}
}
