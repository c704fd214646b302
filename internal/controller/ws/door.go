// Package ws is the door of the WebSocket endpoints and of their Server-Sent Events twins
// (/sse/...): it checks a request before the upgrade (or before the stream starts) and hands the
// connection to its manager.
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

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// readBufferSize is each connection's read buffer. Clients send only small control messages, and
// larger ones are still read whole (in pieces), so an idle connection holds 512 bytes, not the 4 KB
// buffer net/http would hand over.
const readBufferSize = 512

// Authorizer decides whether a request may open endpoint (endpointRowData, endpointAlarm) for key
// as user, before the upgrade, and returns what the connection may then do. An error with code
// consts.CodeNotAuthorized answers 401, consts.CodeForbidden 403.
type Authorizer func(r *http.Request, endpoint string, key hub.Key, user string) (*hub.Grant, error)

// The endpoints an Authorizer is asked about.
const (
	endpointRowData = "rowdata"
	endpointAlarm   = "alarm"
)

// Door guards /ws/rowdata/..., /ws/alarm, /sse/rowdata/... and /sse/alarm.
type Door struct {
	// Authorize, when set (auth on), runs after the path and origin checks.
	Authorize Authorizer
	// AlarmReplay, when set, gives every alarm console its history before live events: from
	// ?since=S when resume is true, else the current state; of the alarms scope covers.
	AlarmReplay func(since int64, resume bool, scope model.Scope) hub.Replay

	rowData  *hub.Manager
	alarm    *hub.Manager
	origins  middleware.Origins
	slots    slots
	upgrader websocket.Upgrader
	closed   atomic.Bool
	refused  refusals
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
		ReadBufferSize: readBufferSize,
		// permessage-deflate with clients that offer it (ws.compression); see internal/hub/compress.go.
		EnableCompression: cfg.Compression,
		CheckOrigin:       func(*http.Request) bool { return true }, // checked before Upgrade, with a JSON answer
		WriteBufferPool:   &sync.Pool{},                             // idle connections hold no write buffer
		Error: func(w http.ResponseWriter, _ *http.Request, _ int, reason error) {
			// Every handshake fault gorilla finds after the door's checks is the client's: 400.
			d.refuse(w, RefusedHandshake, gerror.NewCode(consts.CodeInvalidInput, "websocket handshake: "+reason.Error()))
		},
	}
	return d
}

// Close refuses every later upgrade with 503.
func (d *Door) Close() { d.closed.Store(true) }

// Owns reports whether r is a request for the door: a GET of /ws/alarm or of a /ws/rowdata path,
// or of their Server-Sent Events twins under /sse. Everything else goes to GoFrame's router (and
// so gets its JSON 404).
func Owns(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	p := r.URL.Path
	return p == alarmPath || p == rowDataRoot || strings.HasPrefix(p, rowDataRoot+"/") ||
		p == sseAlarmPath || p == sseRowDataRoot || strings.HasPrefix(p, sseRowDataRoot+"/")
}

const (
	alarmPath      = "/ws/alarm"
	rowDataRoot    = "/ws/rowdata"
	sseAlarmPath   = "/sse/alarm"
	sseRowDataRoot = "/sse/rowdata"
)

// ServeHTTP serves a request Owns accepted.
func (d *Door) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		d.refuse(w, RefusedPath, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
		return
	}
	stream := strings.HasPrefix(r.URL.Path, "/sse/")
	if r.URL.Path == alarmPath || r.URL.Path == sseAlarmPath {
		since, resume, err := parseSince(query)
		if err == nil && stream {
			since, resume, err = lastEventID(r.Header, since, resume)
		}
		if err != nil {
			d.refuse(w, RefusedPath, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
			return
		}
		user, err := parseConsoleUser(query)
		if err != nil {
			d.refuse(w, RefusedPath, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
			return
		}
		d.serve(w, r, stream, endpointAlarm, d.alarm, hub.Key{}, user, func(g *hub.Grant) hub.Replay {
			if d.AlarmReplay == nil {
				return nil
			}
			var scope model.Scope
			if g != nil {
				scope = g.Scope
			}
			return d.AlarmReplay(since, resume, scope)
		})
		return
	}
	root := rowDataRoot
	if stream {
		root = sseRowDataRoot
	}
	key, user, err := parseRowDataPath(r.URL.EscapedPath(), root)
	if err != nil {
		d.refuse(w, RefusedPath, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
		return
	}
	d.serve(w, r, stream, endpointRowData, d.rowData, key, user, nil)
}

// serve checks the request, upgrades it (or, for a stream, opens the event stream) and attaches
// the connection to m; replay, when set, gives the connection's history for its grant. A stream
// passes the same checks, and is refused with the same answers, as a WebSocket.
func (d *Door) serve(w http.ResponseWriter, r *http.Request, stream bool, endpoint string, m *hub.Manager, key hub.Key, user string, replay func(*hub.Grant) hub.Replay) {
	switch {
	case !stream && !websocket.IsWebSocketUpgrade(r):
		d.refuse(w, RefusedNotWebSocket, gerror.NewCode(consts.CodeUpgradeRequired, "this endpoint speaks WebSocket only: send an Upgrade: websocket request"))
		return
	case !d.origins.AllowUpgrade(r):
		d.refuse(w, RefusedOrigin, gerror.NewCodef(consts.CodeOriginForbidden, "origin %q is not allowed (ws.allowedOrigins)", r.Header.Get("Origin")))
		return
	case d.closed.Load():
		d.refuse(w, RefusedShutdown, gerror.NewCode(consts.CodeUnavailable, "server shutting down"))
		return
	}
	var grant *hub.Grant
	if d.Authorize != nil {
		var err error
		if grant, err = d.Authorize(r, endpoint, key, user); err != nil {
			if gerror.Code(err) == gcode.CodeNil {
				err = gerror.WrapCode(consts.CodeNotAuthorized, err)
			}
			reason := RefusedAuth
			if gerror.Code(err).Code() == consts.CodeForbidden.Code() {
				reason = RefusedForbidden
			}
			d.refuse(w, reason, err)
			return
		}
	}
	if grant != nil && user == "" {
		user = grantedUser(grant) // an alarm console's user is its token's sub
	}
	opts := hub.AttachOptions{OnClose: d.slots.release, Grant: grant}
	if replay != nil {
		opts.Replay = replay(grant)
	}
	if !d.slots.acquire() {
		d.refuse(w, RefusedLimit, gerror.NewCode(consts.CodeUnavailable, "too many connections (ws.maxConnections); retry later"))
		return
	}
	if stream {
		d.serveStream(w, r, m, key, user, opts)
		return
	}
	conn, err := hub.Upgrade(&d.upgrader, w, r)
	if err != nil {
		d.slots.release()
		return // the upgrader has answered
	}
	// The connection runs on its own goroutine and this handler returns: the request and
	// net/http's connection state are freed instead of held for the life of the connection.
	m.Attach(conn, key, user, opts)
}
