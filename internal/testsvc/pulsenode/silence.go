package pulsenode

import (
	"encoding/json"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/silence"
)

// SilenceOf decodes the silence an answer carries.
func SilenceOf(t testing.TB, env Envelope) silence.Silence {
	t.Helper()
	var s silence.Silence
	if err := json.Unmarshal(env.Data, &s); err != nil || s.ID == "" {
		t.Fatalf("want a silence, got %s (%v)", env.Data, err)
	}
	return s
}

// NextEvent reads c's next object, checks it is event of alarmId and returns the alarm's state.
func (c *Client) NextEvent(event, alarmId string) model.Alarm {
	c.t.Helper()
	o := c.Next(Patience)
	var a model.Alarm
	if o.Type != "alarm" || json.Unmarshal(o.Data, &a) != nil || o.Event != event || a.AlarmId != alarmId {
		c.t.Fatalf("got %s, want %s of %s", o.Raw, event, alarmId)
	}
	return a
}
