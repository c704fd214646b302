package app

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/hub"
	"pulse/internal/strictjson"
)

// ackMessage is {"type":"ack","alarmId":"...","user":"..."} from an alarm console.
type ackMessage struct {
	Type    string `json:"type"`
	AlarmId string `json:"alarmId"`
	User    string `json:"user"`
}

// ackFromConsole acknowledges an alarm for a console. Success needs no answer: every console,
// this one included, receives the alarm's new state; a failure is answered with an error object.
func (a *App) ackFromConsole(c *hub.Conn, in hub.Inbound) {
	var m ackMessage
	if err := strictjson.Unmarshal(in.Raw, &m); err != nil {
		c.Send(hub.ErrorMessage(hub.CodeInvalidMessage, `ack: `+err.Error()+`; send {"type":"ack","alarmId":"...","user":"..."}`))
		return
	}
	switch {
	case m.AlarmId == "":
		c.Send(hub.ErrorMessage(hub.CodeInvalidMessage, "ack: alarmId is required"))
		return
	}
	if _, err := a.Alarms.Ack(context.Background(), m.AlarmId, m.User); err != nil {
		c.Send(hub.ErrorMessage(gerror.Code(err).Code(), err.Error()))
	}
}
