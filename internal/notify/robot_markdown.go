package notify

import (
	"fmt"
	"strings"
)

// markdownEscaper neutralises what alarm text (it comes from ingest, so from anyone with an
// ingest key) could do in a robot's markdown: a link or an image elsewhere, emphasis or code
// that hides text, an HTML tag (<font>; <at id=all>, Feishu's mention of everyone). Headings and
// quotes need a line's start, and alarm text never starts one here. It escapes with a backslash
// as CommonMark does; that the platforms' dialects render an escaped character as itself is an
// assumption, not tried against the real services. Few characters are escaped, so that where
// the assumption fails, text reads well anyway.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `[`, `\[`, `]`, `\]`, `<`, `\<`,
)

func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// markdownBody renders m as the markdown DingTalk, WeCom and Feishu (lark_md) share: one block
// per alarm, its ack link when there is one, and what was left out. Lines are cut to budget
// bytes as a whole, never an alarm's link in half.
func markdownBody(m message, budget int) string {
	var b strings.Builder
	footer := footerLine(m, escapeMarkdown)
	for i, a := range m.Alarms {
		var block strings.Builder
		fmt.Fprintf(&block, "**%s** %s · %s\n\n", strings.ToUpper(a.Level), escapeMarkdown(a.Business), escapeMarkdown(a.Title))
		if a.Content != "" {
			fmt.Fprintf(&block, "> %s\n\n", escapeMarkdown(a.Content))
		}
		fmt.Fprintf(&block, "alarm %s · %s · raised %d× · last %s", escapeMarkdown(a.AlarmID), a.Status, a.Count, a.Time)
		if a.AckedBy != "" {
			fmt.Fprintf(&block, " · acknowledged by %s", escapeMarkdown(a.AckedBy))
		}
		block.WriteString("\n\n")
		if a.AckURL != "" {
			fmt.Fprintf(&block, "[%s](%s)\n\n", a.AckLabel, a.AckURL)
		}
		left := len(m.Alarms) - i + m.More
		if b.Len()+block.Len()+len(footer)+64 > budget && i > 0 {
			fmt.Fprintf(&b, "… and %d more alarms\n\n", left)
			break
		}
		b.WriteString(block.String())
		if i == len(m.Alarms)-1 && m.More > 0 {
			fmt.Fprintf(&b, "… and %d more alarms\n\n", m.More)
		}
	}
	b.WriteString(footer)
	return cutBytes(b.String(), budget)
}

// footerLine says where the notification comes from: route, step, time; esc escapes the names
// for the platform's markup.
func footerLine(m message, esc func(string) string) string {
	var parts []string
	if m.Route != "" {
		parts = append(parts, "route "+esc(m.Route))
	}
	if m.Step != "" {
		parts = append(parts, "step "+esc(m.Step))
	}
	if m.Time != "" {
		parts = append(parts, m.Time)
	}
	return "Pulse · " + strings.Join(parts, " · ")
}
