package alarm_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestAckAndClearComments: the comment of an acknowledgement (HTTP) and of a clear (a console's
// message) is in the event every console receives, in the alarm's history and in the list; a
// comment of 1 KiB of multi-byte UTF-8 is taken whole, one byte more is refused (400, and an error
// object on the socket) and changes nothing.
func TestAckAndClearComments(t *testing.T) {
	n := pulsenode.Start(t, nil)
	console := n.Dial("/ws/alarm")
	n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","title":"Over-voltage"}`)
	if o := console.Next(pulsenode.Patience); o.Event != "raised" {
		t.Fatalf("want the raised event, got %s", o.Raw)
	}

	long := strings.Repeat("é", model.MaxCommentLen/2) // 1024 bytes
	status, env := n.Post("/api/v1/alarms/meter/m-1/ov-1/ack", map[string]string{"user": "ann", "comment": long + "x"})
	if status != http.StatusBadRequest || !strings.Contains(env.Message, "comment") {
		t.Fatalf("a comment of 1025 bytes: %d %+v, want 400 naming the comment", status, env)
	}
	console.Send(`{"type":"clear","businessType":"meter","businessId":"m-1","alarmId":"ov-1","user":"bob","comment":"a\u0007b"}`)
	if o := console.Next(pulsenode.Patience); o.Type != "error" || o.Code != env.Code || !strings.Contains(o.Message, "comment") {
		t.Fatalf("a console's clear with a control character in its comment: %s, want error %d", o.Raw, env.Code)
	}

	n.MustPost("/api/v1/alarms/meter/m-1/ov-1/ack", map[string]string{"user": "ann", "comment": long})
	o := console.Next(pulsenode.Patience)
	if a := pulsenode.AlarmOf(t, o); o.Event != "acked" || a.AckComment != long || a.AckedBy != "ann" {
		t.Fatalf("the acked event: %s", o.Raw)
	}
	console.Send(`{"type":"clear","businessType":"meter","businessId":"m-1","alarmId":"ov-1","user":"bob","comment":"fuse replaced\nline ok"}`)
	o = console.Next(pulsenode.Patience)
	if a := pulsenode.AlarmOf(t, o); o.Event != "cleared" || a.ClearComment != "fuse replaced\nline ok" || a.AckComment != long {
		t.Fatalf("the cleared event: %s", o.Raw)
	}

	h := n.History("meter/m-1/ov-1")
	if len(h) != 3 || h[1].Event != "acked" || h[1].Data.AckComment != long || h[2].Event != "cleared" ||
		h[2].Data.ClearComment != "fuse replaced\nline ok" {
		t.Fatalf("history: %+v", h)
	}
	list := n.List("")
	if len(list) != 1 || list[0].AckComment != long || list[0].ClearComment != "fuse replaced\nline ok" {
		t.Fatalf("list: %+v", list)
	}

	// A raise after the clear starts the alarm afresh: what was said of the last one is gone.
	n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","title":"Over-voltage"}`)
	if a := pulsenode.AlarmOf(t, console.Next(pulsenode.Patience)); a.AckComment != "" || a.ClearComment != "" || a.Status != "active" {
		t.Fatalf("raised again: %+v", a)
	}
}
