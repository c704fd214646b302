package ws

import (
	"net/http"
	"sync/atomic"

	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// Why the door refuses an upgrade: the reason label of pulse_upgrades_refused_total.
const (
	RefusedPath         = "path"          // the URL (path or query) is not one the door serves
	RefusedNotWebSocket = "not_websocket" // a plain GET, no Upgrade: websocket
	RefusedOrigin       = "origin"        // ws.allowedOrigins does not list the page's origin
	RefusedShutdown     = "shutdown"      // the server is shutting down
	RefusedAuth         = "auth"          // no valid token (401)
	RefusedForbidden    = "forbidden"     // a valid token that does not cover the request (403)
	RefusedLimit        = "limit"         // ws.maxConnections reached
	RefusedHandshake    = "handshake"     // gorilla found the handshake malformed
)

// refusalReasons lists every reason, in the order of refusals' counters.
var refusalReasons = [...]string{RefusedPath, RefusedNotWebSocket, RefusedOrigin, RefusedShutdown,
	RefusedAuth, RefusedForbidden, RefusedLimit, RefusedHandshake}

// refusals counts refused upgrades by reason.
type refusals [len(refusalReasons)]atomic.Int64

func (r *refusals) add(reason string) {
	for i, name := range refusalReasons {
		if name == reason {
			r[i].Add(1)
			return
		}
	}
}

// Refusals returns how many upgrades the door refused, by reason (every reason, zeros included).
func (d *Door) Refusals() map[string]int64 {
	out := make(map[string]int64, len(refusalReasons))
	for i, name := range refusalReasons {
		out[name] = d.refused[i].Load()
	}
	return out
}

// refuse answers a request that will not be upgraded with its status and {code,message}, and
// counts it under reason.
func (d *Door) refuse(w http.ResponseWriter, reason string, err error) {
	d.refused.add(reason)
	middleware.WriteHTTPError(w, err)
}
