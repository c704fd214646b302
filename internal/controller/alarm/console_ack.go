package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "pulse/api/alarm/v1"
	"pulse/internal/auth"
	"pulse/internal/hub"
	"pulse/internal/service/alarm"
	"pulse/internal/strictjson"
)

// consoleAck is {"type":"ack","alarmId":"...","user":"..."} from an alarm console: the HTTP ack's
// body with the message type and the alarm's id, which HTTP takes from the path. With auth on the
// user is the token's sub and "user" may be left out. The user is checked where both paths meet,
// in alarm.Service.Ack.
type consoleAck struct {
	Type    string `json:"type"`
	AlarmId string `json:"alarmId"`
	v1.AckBody
}

// NewConsoleAck returns the handler of an alarm console's ack message. Success needs no answer:
// every console, this one included, receives the alarm's new state as an "acked" event; a failure
// is answered to this console with an error object.
func NewConsoleAck(svc *alarm.Service) hub.Handler {
	return func(c *hub.Conn, in hub.Inbound) {
		var m consoleAck
		if err := strictjson.Unmarshal(in.Raw, &m); err != nil {
			c.Send(hub.ErrorMessage(hub.CodeInvalidMessage, `ack: `+err.Error()+`; send {"type":"ack","alarmId":"...","user":"..."}`))
			return
		}
		// The ack waits for its database commit. Handlers run on the connection's reader, which
		// must not block (it would stop reading pings and acks while the database is slow), so
		// the wait gets a goroutine of its own. A console cannot start these faster than
		// ws.inboundRate lets it send messages, and each ends when its commit does.
		id, authed := identityOf(c)
		user, scope, err := actor(id, authed, m.User)
		if err != nil {
			c.Send(hub.ErrorMessage(gerror.Code(err).Code(), err.Error()))
			return
		}
		go func() {
			if _, err := svc.Ack(context.Background(), m.AlarmId, user, scope); err != nil {
				c.Send(hub.ErrorMessage(gerror.Code(err).Code(), err.Error()))
			}
		}()
	}
}

// identityOf is the identity a console's token gave it (refreshed, the latest); ok is false for a
// console attached without one (auth off).
func identityOf(c *hub.Conn) (auth.Identity, bool) {
	if g := c.Grant(); g != nil {
		id, ok := g.Identity.(auth.Identity)
		return id, ok
	}
	return auth.Identity{}, false
}
