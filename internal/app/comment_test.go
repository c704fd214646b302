package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// history is GET .../events of the alarm at path (type/id/alarmId), decoded.
func (n *node) history(path string) []model.AlarmMessage {
	n.t.Helper()
	status, env := n.get("/api/v1/alarms/"+path+"/events", nil)
	if status != http.StatusOK {
		n.t.Fatalf("history of %s: %d %+v", path, status, env)
	}
	var res struct{ Items []model.AlarmMessage }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		n.t.Fatal(err)
	}
	return res.Items
}

// TestAckAndClearComments: the comment of an acknowledgement (HTTP) and of a clear (a console's
// message) is in the event every console receives, in the alarm's history and in the list; a
// comment of 1 KiB of multi-byte UTF-8 is taken whole, one byte more is refused (400, and an error
// object on the socket) and changes nothing.
func TestAckAndClearComments(t *testing.T) {
	n := startNode(t, nil)
	console := n.dial("/ws/alarm")
	n.raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","title":"Over-voltage"}`)
	if o := console.next(patience); o.Event != "raised" {
		t.Fatalf("want the raised event, got %s", o.raw)
	}

	long := strings.Repeat("é", model.MaxCommentLen/2) // 1024 bytes
	status, env := n.post("/api/v1/alarms/meter/m-1/ov-1/ack", map[string]string{"user": "ann", "comment": long + "x"})
	if status != http.StatusBadRequest || !strings.Contains(env.Message, "comment") {
		t.Fatalf("a comment of 1025 bytes: %d %+v, want 400 naming the comment", status, env)
	}
	console.send(`{"type":"clear","businessType":"meter","businessId":"m-1","alarmId":"ov-1","user":"bob","comment":"a\u0007b"}`)
	if o := console.next(patience); o.Type != "error" || o.Code != env.Code || !strings.Contains(o.Message, "comment") {
		t.Fatalf("a console's clear with a control character in its comment: %s, want error %d", o.raw, env.Code)
	}

	n.mustPost("/api/v1/alarms/meter/m-1/ov-1/ack", map[string]string{"user": "ann", "comment": long})
	o := console.next(patience)
	if a := alarmOf(t, o); o.Event != "acked" || a.AckComment != long || a.AckedBy != "ann" {
		t.Fatalf("the acked event: %s", o.raw)
	}
	console.send(`{"type":"clear","businessType":"meter","businessId":"m-1","alarmId":"ov-1","user":"bob","comment":"fuse replaced\nline ok"}`)
	o = console.next(patience)
	if a := alarmOf(t, o); o.Event != "cleared" || a.ClearComment != "fuse replaced\nline ok" || a.AckComment != long {
		t.Fatalf("the cleared event: %s", o.raw)
	}

	h := n.history("meter/m-1/ov-1")
	if len(h) != 3 || h[1].Event != "acked" || h[1].Data.AckComment != long || h[2].Event != "cleared" ||
		h[2].Data.ClearComment != "fuse replaced\nline ok" {
		t.Fatalf("history: %+v", h)
	}
	list := n.list("")
	if len(list) != 1 || list[0].AckComment != long || list[0].ClearComment != "fuse replaced\nline ok" {
		t.Fatalf("list: %+v", list)
	}

	// A raise after the clear starts the alarm afresh: what was said of the last one is gone.
	n.raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1","title":"Over-voltage"}`)
	if a := alarmOf(t, console.next(patience)); a.AckComment != "" || a.ClearComment != "" || a.Status != "active" {
		t.Fatalf("raised again: %+v", a)
	}
}

// list is GET /api/v1/alarms with query (without "?"), decoded.
func (n *node) list(query string) []model.Alarm {
	n.t.Helper()
	items, _ := n.listPage(query)
	return items
}

// listPage is GET /api/v1/alarms with query: the page's alarms and its nextCursor.
func (n *node) listPage(query string) ([]model.Alarm, string) {
	n.t.Helper()
	status, env := n.get("/api/v1/alarms?"+query, nil)
	if status != http.StatusOK {
		n.t.Fatalf("list ?%s: %d %+v", query, status, env)
	}
	var res struct {
		Items      []model.Alarm
		NextCursor string
	}
	if err := json.Unmarshal(env.Data, &res); err != nil {
		n.t.Fatal(err)
	}
	return res.Items, res.NextCursor
}
