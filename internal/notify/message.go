package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// message is what a notification says, before any platform's format: the outlets for people
// (email, chat robots) render it, each in its own markup, so that a subject on a phone and a card
// in a chat group read alike.
type message struct {
	Level    string // the most severe level of the alarms; "" when there is none (a bare test)
	Kind     string // the notification's kind
	Business string // the first alarm's business, "+N" when the group spans more
	Title    string // the first alarm's title, "(+N more)" when there are more alarms
	Alarms   []alarmLine
	More     int // alarms left out of Alarms (a group larger than maxAlarmLines)
	Route    string
	Step     string
	Time     string // when the notification was made, UTC
}

// alarmLine is one alarm of a notification as a person reads it.
type alarmLine struct {
	Level    string
	Business string // businessType/businessId
	AlarmID  string
	Title    string
	Content  string // cut to maxContentRunes
	Status   string
	Count    int64
	Time     string // the latest raise, UTC
	AckedBy  string
	AckURL   string
	// AckLabel names what AckURL's page offers: Acknowledge for an active alarm; View for one
	// acknowledged or cleared (the page shows it, with nothing to press).
	AckLabel string
}

// Limits that keep a group of a thousand alarms a readable message within every platform's size.
const (
	maxAlarmLines   = 20
	maxContentRunes = 300
	maxTitleRunes   = 200
)

// levelRank orders levels, most severe highest; an unknown level ranks as a warning (ingest's
// default).
var levelRank = map[string]int{
	model.LevelCritical: 5, model.LevelMajor: 4, model.LevelMinor: 3, model.LevelWarning: 2, model.LevelInfo: 1,
}

// kindPhrase says what happened, after the alarm's title.
var kindPhrase = map[string]string{
	"raised":     "raised",
	"repeated":   "raised again, level rose",
	"reminder":   "still active (reminder)",
	"escalated":  "not acknowledged (escalated)",
	"acked":      "acknowledged",
	"cleared":    "cleared",
	"unsilenced": "silence ended, still active",
	"test":       "test notification",
}

// newMessage derives what n says.
func newMessage(n Notification) message {
	m := message{Kind: n.Kind, Route: n.Route, Step: n.Step, Time: formatTime(n.Timestamp)}
	businesses := map[string]bool{}
	for i, a := range n.Alarms {
		business := a.BusinessType + "/" + a.BusinessId
		businesses[business] = true
		if m.Level == "" || rank(a.Level) > rank(m.Level) {
			m.Level = level(a.Level)
		}
		if i >= maxAlarmLines {
			m.More++
			continue
		}
		m.Alarms = append(m.Alarms, alarmLine{
			Level:    level(a.Level),
			Business: business,
			AlarmID:  a.AlarmId,
			Title:    oneLine(a.Title, maxTitleRunes),
			Content:  oneLine(a.Content, maxContentRunes),
			Status:   a.Status,
			Count:    a.Count,
			Time:     formatTime(time.UnixMilli(a.LastTime)),
			AckedBy:  a.AckedBy,
			AckURL:   a.AckURL,
			AckLabel: ackLabel(a.Status),
		})
	}
	if len(m.Alarms) > 0 {
		m.Business = m.Alarms[0].Business
		if len(businesses) > 1 {
			m.Business += fmt.Sprintf(" +%d", len(businesses)-1)
		}
		m.Title = m.Alarms[0].Title
		if len(n.Alarms) > 1 {
			m.Title += fmt.Sprintf(" (+%d more)", len(n.Alarms)-1)
		}
	}
	return m
}

// Headline is the message in one line: a mail's subject, a chat message's title, the fallback
// text of a notification on a phone. "[CRITICAL] meter/m-001: Over-voltage (raised)".
func (m message) Headline() string { return m.headline(func(s string) string { return s }) }

// headline is Headline with the alarms' own text (business, title) escaped by esc for a markup.
func (m message) headline(esc func(string) string) string {
	what := kindPhrase[m.Kind]
	if what == "" {
		what = m.Kind
	}
	if len(m.Alarms) == 0 {
		return "[Pulse] " + what
	}
	return fmt.Sprintf("[%s] %s: %s (%s)", strings.ToUpper(m.Level), esc(m.Business), esc(m.Title), what)
}

// Color is a hex color for the most severe level, for platforms that color a message's edge.
func (m message) Color() string {
	switch m.Level {
	case model.LevelCritical:
		return "#d32f2f"
	case model.LevelMajor:
		return "#f57c00"
	case model.LevelMinor:
		return "#fbc02d"
	case model.LevelInfo:
		return "#1976d2"
	}
	if m.Kind == "cleared" || m.Kind == "acked" {
		return "#388e3c"
	}
	return "#757575"
}

func rank(l string) int {
	if r, ok := levelRank[l]; ok {
		return r
	}
	return levelRank[model.LevelWarning]
}

func level(l string) string {
	if _, ok := levelRank[l]; ok {
		return l
	}
	return model.LevelWarning
}

func formatTime(t time.Time) string {
	if t.IsZero() || t.UnixMilli() == 0 {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// oneLine makes s one line of at most max runes: alarm text comes from ingest, and a newline in a
// subject or a chat title would break it.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// cutBytes cuts s to at most max bytes on a rune boundary, marking the cut; platforms count
// bytes.
func cutBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const mark = "\n…"
	s = s[:max-len(mark)]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + mark
}

// ackLabel is the text of an ack link for an alarm of status.
func ackLabel(status string) string {
	if status == model.StatusActive {
		return "Acknowledge"
	}
	return "View"
}
