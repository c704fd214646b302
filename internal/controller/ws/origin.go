package ws

import (
	"net/http"
	"net/url"
	"strings"
)

// originPolicy decides which browser origins may open a WebSocket.
type originPolicy struct {
	any     bool
	allowed map[string]bool // lower-cased "scheme://host[:port]"
}

// newOriginPolicy reads ws.allowedOrigins: empty means same origin only, "*" means any.
func newOriginPolicy(list []string) originPolicy {
	p := originPolicy{allowed: map[string]bool{}}
	for _, o := range list {
		if o == "*" {
			p.any = true
		}
		p.allowed[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return p
}

// allows reports whether r may upgrade. Clients that send no Origin (native apps, servers) may.
func (p originPolicy) allows(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || p.any {
		return true
	}
	if len(p.allowed) > 0 {
		return p.allowed[strings.ToLower(origin)]
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}
