package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// consoleChange is {"type":"ack"|"clear","businessType":"...","businessId":"...","alarmId":"...",
// "user":"...","comment":"..."} from an alarm console: the HTTP body with the message type and the alarm, which
// HTTP takes from the path. Without businessId it is the short form, the alarm's id alone (see
// alarm.Service.Resolve). With auth on the user is the token's sub and "user" may be left out. The
// user is checked where both paths meet, in alarm.Service.
type consoleChange struct {
	Type         string `json:"type"`
	BusinessType string `json:"businessType"`
	BusinessId   string `json:"businessId"`
	AlarmId      string `json:"alarmId"`
	v1.AckBody
}

// NewConsoleAck returns the handler of an alarm console's ack message. Success needs no answer:
// every console, this one included, receives the alarm's new state as an "acked" event; a failure
// is answered to this console with an error object.
func NewConsoleAck(svc *alarm.Service) hub.Handler { return consoleHandler(svc, "ack", svc.Ack) }

// NewConsoleClear returns the handler of an alarm console's clear message, as NewConsoleAck's.
func NewConsoleClear(svc *alarm.Service) hub.Handler { return consoleHandler(svc, "clear", svc.Clear) }

func consoleHandler(svc *alarm.Service, typ string, do change) hub.Handler {
	usage := `; send {"type":"` + typ + `","businessType":"...","businessId":"...","alarmId":"...","user":"...","comment":"..."}`
	return func(c *hub.Conn, in hub.Inbound) {
		var m consoleChange
		if err := strictjson.Unmarshal(in.Raw, &m); err != nil {
			c.Send(hub.ErrorMessage(hub.CodeInvalidMessage, typ+`: `+err.Error()+usage))
			return
		}
		id, authed := identityOf(c)
		a := actorOf(id, authed, m.User)
		ref := model.AlarmKey{BusinessType: m.BusinessType, BusinessId: m.BusinessId, AlarmId: m.AlarmId}
		// The change waits for its database commit. Handlers run on the connection's reader,
		// which must not block (it would stop reading pings and acks while the database is slow),
		// so the wait gets a goroutine of its own. A console cannot start these faster than
		// ws.inboundRate lets it send messages, and each ends when its commit does.
		go func() {
			if _, err := changeAlarm(context.Background(), svc, a, ref, m.Comment, do); err != nil {
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
