// Package ws is the door of the WebSocket endpoints: it checks a request before the upgrade and
// hands the upgraded connection to its manager.
package ws

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gogf/gf/v2/errors/gcode"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gorilla/websocket"

	"pulse/internal/config"
	"pulse/internal/consts"
	"pulse/internal/hub"
)

// Authorizer decides whether a request may subscribe to key as user, before the upgrade. An error
// with code consts.CodeNotAuthorized answers 401, consts.CodeOriginForbidden 403.
type Authorizer func(r *http.Request, endpoint string, key hub.Key, user string) error

// Door guards /ws/rowdata/... and /ws/alarm.
type Door struct {
	// Authorize, when set, runs after the path and origin checks. Pulse itself sets none.
	Authorize Authorizer

	rowData  *hub.Manager
	alarm    *hub.Manager
	origins  originPolicy
	slots    slots
	upgrader websocket.Upgrader
	closed   atomic.Bool
}

// NewDoor returns the door for the two managers.
func NewDoor(cfg config.WS, rowData, alarm *hub.Manager) *Door {
	d := &Door{
		rowData: rowData,
		alarm:   alarm,
		origins: newOriginPolicy(cfg.AllowedOrigins),
		slots:   slots{max: int64(cfg.MaxConnections)},
	}
	d.upgrader = websocket.Upgrader{
		CheckOrigin:     func(*http.Request) bool { return true }, // checked before Upgrade, with a JSON answer
		WriteBufferPool: &sync.Pool{},                             // idle connections hold no write buffer
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			writeJSONError(w, status, consts.CodeInvalidInput.Code(), "websocket handshake: "+reason.Error())
		},
	}
	return d
}

// Close refuses every later upgrade with 503.
func (d *Door) Close() { d.closed.Store(true) }

// RowData serves GET /ws/rowdata/{businessType}/{businessId}/{userName}.
func (d *Door) RowData(r *ghttp.Request) {
	key, user, err := parseRowDataPath(r.URL.EscapedPath())
	if err != nil {
		refuse(r, gerror.NewCode(consts.CodeInvalidInput, err.Error()))
		return
	}
	d.serve(r, "rowdata", d.rowData, key, user)
}

// Alarm serves GET /ws/alarm.
func (d *Door) Alarm(r *ghttp.Request) {
	d.serve(r, "alarm", d.alarm, hub.Key{}, "")
}

func (d *Door) serve(r *ghttp.Request, endpoint string, m *hub.Manager, key hub.Key, user string) {
	switch {
	case !websocket.IsWebSocketUpgrade(r.Request):
		refuse(r, gerror.NewCode(consts.CodeUpgradeRequired, "this endpoint speaks WebSocket only: send an Upgrade: websocket request"))
		return
	case !d.origins.allows(r.Request):
		refuse(r, gerror.NewCodef(consts.CodeOriginForbidden, "origin %q is not allowed (ws.allowedOrigins)", r.Header.Get("Origin")))
		return
	case d.closed.Load():
		refuse(r, gerror.NewCode(consts.CodeUnavailable, "server shutting down"))
		return
	}
	if d.Authorize != nil {
		if err := d.Authorize(r.Request, endpoint, key, user); err != nil {
			if gerror.Code(err) == gcode.CodeNil {
				err = gerror.WrapCode(consts.CodeNotAuthorized, err)
			}
			refuse(r, err)
			return
		}
	}
	if !d.slots.acquire() {
		refuse(r, gerror.NewCode(consts.CodeUnavailable, "too many connections (ws.maxConnections); retry later"))
		return
	}
	defer d.slots.release()
	// Upgrade on the GoFrame writer, which knows the connection is hijacked afterwards.
	conn, err := d.upgrader.Upgrade(r.Response.Writer, r.Request, nil)
	if err != nil {
		return // the upgrader has answered
	}
	m.Serve(conn, key, user, nil)
}
