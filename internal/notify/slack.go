package notify

import (
	"fmt"
	"strings"
)

// The slack outlet posts to a Slack incoming webhook
// (https://api.slack.com/messaging/webhooks): {"text", "attachments"}. Mattermost and Rocket.Chat
// accept the same payload on their incoming webhooks: Mattermost translates Slack's <url|text>
// links and renders attachments (https://developers.mattermost.com/integrate/slash-commands/slack,
// .../integrate/reference/message-attachments). Attachments rather than blocks, because
// Mattermost and Rocket.Chat show attachments and ignore Slack's blocks; no *bold*, which
// Mattermost does not take. Slack answers 200 "ok", and a refusal with its HTTP status and a
// word ("invalid_payload", "channel_is_archived"); 429 with Retry-After when too fast.
func init() { RegisterOutletType("slack", newSlack) }

func newSlack(cfg OutletConfig) (Outlet, error) {
	where, err := robotURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Secret != "" {
		return nil, fmt.Errorf("secret: a Slack-compatible webhook is not signed; its URL is the secret")
	}
	o := &robotOutlet{name: cfg.Name, typ: "slack", url: cfg.URL, where: where}
	o.render = func(n Notification) (any, string) { return slackMessage(newMessage(n)), o.url }
	return o, checkRender(o)
}

type slackPayload struct {
	Text        string            `json:"text"`
	Attachments []slackAttachment `json:"attachments,omitempty"`
}

type slackAttachment struct {
	Fallback string `json:"fallback"`
	Color    string `json:"color"`
	Text     string `json:"text"`
	Footer   string `json:"footer,omitempty"`
}

// Slack's text limits: 40,000 characters for a message's text; an attachment's text is cut well
// below, so that a group of alarms stays a readable message.
const slackTextBudget = 8000

// slackEscaper escapes what Slack's formatting gives a meaning to, as its documentation asks
// (https://api.slack.com/reference/surfaces/formatting#escaping): alarm text then cannot mention
// @channel or make a link.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackMessage(m message) slackPayload {
	var b strings.Builder
	for i, a := range m.Alarms {
		var line strings.Builder
		fmt.Fprintf(&line, "%s  %s  %s\n", strings.ToUpper(a.Level), slackEscaper.Replace(a.Business), slackEscaper.Replace(a.Title))
		if a.Content != "" {
			fmt.Fprintf(&line, "%s\n", slackEscaper.Replace(a.Content))
		}
		fmt.Fprintf(&line, "alarm %s · %s · raised %d× · last %s", slackEscaper.Replace(a.AlarmID), a.Status, a.Count, a.Time)
		if a.AckedBy != "" {
			fmt.Fprintf(&line, " · acknowledged by %s", slackEscaper.Replace(a.AckedBy))
		}
		if a.AckURL != "" {
			fmt.Fprintf(&line, "\n<%s|%s>", a.AckURL, a.AckLabel)
		}
		line.WriteString("\n\n")
		if b.Len()+line.Len() > slackTextBudget && i > 0 {
			fmt.Fprintf(&b, "… and %d more alarms\n", len(m.Alarms)-i+m.More)
			break
		}
		b.WriteString(line.String())
		if i == len(m.Alarms)-1 && m.More > 0 {
			fmt.Fprintf(&b, "… and %d more alarms\n", m.More)
		}
	}
	headline := slackEscaper.Replace(m.Headline())
	return slackPayload{
		Text: headline,
		Attachments: []slackAttachment{{
			Fallback: headline,
			Color:    m.Color(),
			Text:     strings.TrimSpace(b.String()),
			Footer:   footerLine(m, slackEscaper.Replace),
		}},
	}
}
