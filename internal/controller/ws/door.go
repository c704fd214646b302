// Package ws is the door of the WebSocket endpoints: it checks a request before the upgrade and
// hands the upgraded connection to its manager.
//
// The door is a plain net/http handler that the app puts in front of GoFrame's router (Owns says
// which requests are its). A handshake then costs no GoFrame request object, route-cache entry or
// tracing span: about a quarter of the server's CPU per handshake, and memory kept for as long as
// the connection lives.
package ws

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gogf/gf/v2/errors/gcode"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gorilla/websocket"

	"pulse/internal/config"
	"pulse/internal/consts"
	"pulse/internal/hub"
	"pulse/internal/middleware"
)

// readBufferSize is each connection's read buffer. Clients send only small control messages, and
// larger ones are still read whole (in pieces), so an idle connection holds 512 bytes, not the 4 KB
// buffer net/http would hand over.
const readBufferSize = 512

// Authorizer decides whether a request may subscribe to key as user, before the upgrade. An error
// with code consts.CodeNotAuthorized answers 401, consts.CodeOriginForbidden 403.
type Authorizer func(r *http.Request, endpoint string, key hub.Key, user string) error

// Door guards /ws/rowdata/... and /ws/alarm.
type Door struct {
	// Authorize, when set, runs after the path and origin checks. Pulse itself sets none.
	Authorize Authorizer
	// AlarmReplay, when set, gives every alarm console its history before live events: from
	// ?since=S when resume is true, else the current state.
	AlarmReplay func(since int64, resume bool) hub.Replay

	rowData  *hub.Manager
	alarm    *hub.Manager
	origins  middleware.Origins
	slots    slots
	upgrader websocket.Upgrader
	closed   atomic.Bool
}

// NewDoor returns the door for the two managers.
func NewDoor(cfg config.WS, rowData, alarm *hub.Manager) *Door {
	d := &Door{
		rowData: rowData,
		alarm:   alarm,
		origins: middleware.NewOrigins(cfg.AllowedOrigins),
		slots:   slots{max: int64(cfg.MaxConnections)},
	}
	d.upgrader = websocket.Upgrader{
		ReadBufferSize:  readBufferSize,
		CheckOrigin:     func(*http.Request) bool { return true }, // checked before Upgrade, with a JSON answer
		WriteBufferPool: &sync.Pool{},                             // idle connections hold no write buffer
		Error: func(w http.ResponseWriter, _ *http.Request, _ int, reason error) {
			// Every handshake fault gorilla finds after the door's checks is the client's: 400.
			refuse(w, gerror.NewCode(consts.CodeInvalidInput, "websocket handshake: "+reason.Error()))
		},
	}
	return d
}

// Close refuses every later upgrade with 503.
func (d *Door) Close() { d.closed.Store(true) }

// Owns reports whether r is a request for the door: a GET of /ws/alarm or of a /ws/rowdata path.
// Everything else goes to GoFrame's router (and so gets its JSON 404).
func Owns(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	p := r.URL.Path
	return p == alarmPath || p == rowDataRoot || strings.HasPrefix(p, rowDataPrefix)
}

const (
	alarmPath   = "/ws/alarm"
	rowDataRoot = "/ws/rowdata"
)

// ServeHTTP serves a request Owns accepted.
func (d *Door) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		refuse(w, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
		return
	}
	if r.URL.Path == alarmPath {
		since, resume, err := parseSince(query)
		if err != nil {
			refuse(w, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
			return
		}
		var replay hub.Replay
		if d.AlarmReplay != nil {
			replay = d.AlarmReplay(since, resume)
		}
		d.serve(w, r, "alarm", d.alarm, hub.Key{}, "", replay)
		return
	}
	key, user, err := parseRowDataPath(r.URL.EscapedPath())
	if err != nil {
		refuse(w, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
		return
	}
	d.serve(w, r, "rowdata", d.rowData, key, user, nil)
}

func (d *Door) serve(w http.ResponseWriter, r *http.Request, endpoint string, m *hub.Manager, key hub.Key, user string, replay hub.Replay) {
	switch {
	case !websocket.IsWebSocketUpgrade(r):
		refuse(w, gerror.NewCode(consts.CodeUpgradeRequired, "this endpoint speaks WebSocket only: send an Upgrade: websocket request"))
		return
	case !d.origins.AllowUpgrade(r):
		refuse(w, gerror.NewCodef(consts.CodeOriginForbidden, "origin %q is not allowed (ws.allowedOrigins)", r.Header.Get("Origin")))
		return
	case d.closed.Load():
		refuse(w, gerror.NewCode(consts.CodeUnavailable, "server shutting down"))
		return
	}
	if d.Authorize != nil {
		if err := d.Authorize(r, endpoint, key, user); err != nil {
			if gerror.Code(err) == gcode.CodeNil {
				err = gerror.WrapCode(consts.CodeNotAuthorized, err)
			}
			refuse(w, err)
			return
		}
	}
	if !d.slots.acquire() {
		refuse(w, gerror.NewCode(consts.CodeUnavailable, "too many connections (ws.maxConnections); retry later"))
		return
	}
	conn, err := hub.Upgrade(&d.upgrader, w, r)
	if err != nil {
		d.slots.release()
		return // the upgrader has answered
	}
	// The connection runs on its own goroutine and this handler returns: the request and
	// net/http's connection state are freed instead of held for the life of the connection.
	m.Attach(conn, key, user, hub.AttachOptions{OnClose: d.slots.release, Replay: replay})
}
