package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// testAlarm is an active alarm of business meter/<id> with an ack link.
func testAlarm(id, level, title string) Alarm {
	a := Alarm{Seq: 7, AckURL: "https://pulse.example.com/ack/tok-" + id}
	a.AlarmId, a.BusinessType, a.BusinessId = id, "meter", "m-001"
	a.Level, a.Title, a.Content = level, title, "voltage 262 V > 250 V"
	a.Status, a.Count = model.StatusActive, 3
	a.FirstTime = time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC).UnixMilli()
	a.LastTime = time.Date(2026, 12, 6, 3, 4, 5, 0, time.UTC).UnixMilli()
	return a
}

func testNotification(kind string, alarms ...Alarm) Notification {
	return Notification{ID: "msg_ABCDEFGHIJKLMNOPQRSTUVWXYZ", Kind: kind, Route: "meters-urgent",
		Group: map[string]string{"businessType": "meter"}, Alarms: alarms,
		Timestamp: time.Date(2026, 12, 6, 3, 4, 6, 0, time.UTC)}
}

func TestMessageHeadline(t *testing.T) {
	one := newMessage(testNotification("raised", testAlarm("a-1", "critical", "Over-voltage")))
	if got, want := one.Headline(), "[CRITICAL] meter/m-001: Over-voltage (raised)"; got != want {
		t.Fatalf("headline %q, want %q", got, want)
	}
	other := testAlarm("a-2", "major", "Under-voltage")
	other.BusinessId = "m-002"
	group := newMessage(testNotification("reminder", testAlarm("a-1", "minor", "Over-voltage"), other))
	if got, want := group.Headline(), "[MAJOR] meter/m-001 +1: Over-voltage (+1 more) (still active (reminder))"; got != want {
		t.Fatalf("group headline %q, want %q", got, want)
	}
	bare := newMessage(Notification{Kind: "test"})
	if got := bare.Headline(); got != "[Pulse] test notification" {
		t.Fatalf("bare headline %q", got)
	}
	// A title from ingest with newlines stays one line: a subject cannot be broken into headers.
	evil := newMessage(testNotification("raised", testAlarm("a-3", "bogus", "Over\r\nBcc: x@example.com")))
	if h := evil.Headline(); strings.ContainsAny(h, "\r\n") || !strings.HasPrefix(h, "[WARNING] ") {
		t.Fatalf("headline %q: not one line, or an unknown level not shown as warning", h)
	}
}

func TestMessageCapsAlarms(t *testing.T) {
	var alarms []Alarm
	for i := range 1000 {
		alarms = append(alarms, testAlarm(fmt.Sprintf("a-%d", i), "warning", "Over-voltage"))
	}
	m := newMessage(testNotification("raised", alarms...))
	if len(m.Alarms) != maxAlarmLines || m.More != 1000-maxAlarmLines {
		t.Fatalf("%d lines and %d more, want %d and %d", len(m.Alarms), m.More, maxAlarmLines, 1000-maxAlarmLines)
	}
	body := markdownBody(m, weComContentBudget)
	if len(body) > weComContentBudget || !strings.Contains(body, "more alarms") {
		t.Fatalf("markdown body of %d bytes (budget %d) without the count of what was left out", len(body), weComContentBudget)
	}
}

func TestCutBytesKeepsRunes(t *testing.T) {
	s := strings.Repeat("电压", 100)
	for max := 10; max < 40; max++ {
		c := cutBytes(s, max)
		if len(c) > max || !strings.HasSuffix(c, "…") || strings.ContainsRune(c, '\uFFFD') {
			t.Fatalf("cutBytes(%d) = %q", max, c)
		}
	}
}

func TestPlatformRate(t *testing.T) {
	for typ, want := range map[string]float64{"dingtalk": 1.0 / 3, "wecom": 1.0 / 3, "feishu": 5, "slack": 1, "email": 0, "webhook": 0} {
		if got := PlatformRate(typ); got < want*0.999 || got > want*1.001 {
			t.Errorf("PlatformRate(%s) = %v, want %v", typ, got, want)
		}
	}
}

// TestAckLinkLabel: every alarm of a notification carries its link; the link of an active alarm
// says Acknowledge, that of an acknowledged or cleared one View (its page has nothing to press),
// in the chat text as in the email.
func TestAckLinkLabel(t *testing.T) {
	acked := testAlarm("a-2", "major", "Under-voltage")
	acked.Status = model.StatusAcked
	m := newMessage(testNotification("acked", testAlarm("a-1", "critical", "Over-voltage"), acked))
	if m.Alarms[0].AckLabel != "Acknowledge" || m.Alarms[1].AckLabel != "View" {
		t.Fatalf("labels %q %q", m.Alarms[0].AckLabel, m.Alarms[1].AckLabel)
	}
	body := markdownBody(m, 4000)
	if !strings.Contains(body, "[Acknowledge](https://pulse.example.com/ack/tok-a-1)") || !strings.Contains(body, "[View](https://pulse.example.com/ack/tok-a-2)") {
		t.Fatalf("markdown %s", body)
	}
}
