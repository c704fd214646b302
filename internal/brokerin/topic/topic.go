// Package topic reads the topic (MQTT) and subject (NATS) templates of broker sources, such as
// "pulse/alarm/{businessType}/{businessId}": the filter to subscribe with and the business a topic
// names. It imports nothing of Pulse, so the configuration can check templates when it loads.
package topic

import (
	"fmt"
	"strings"
)

// The placeholders of a topic template: each stands for one whole level (MQTT) or token (NATS).
const (
	placeholderType = "{businessType}"
	placeholderID   = "{businessId}"
)

// Separators of topic levels.
const (
	MQTTSeparator = '/'
	NATSSeparator = '.'
)

// Template is a topic (MQTT) or subject (NATS) with placeholders, such as
// "pulse/rowdata/{businessType}/{businessId}": it gives the subscription filter and reads the
// business out of each message's topic.
type Template struct {
	raw       string
	sep       byte
	segments  []string // literal levels, or a placeholder
	typeAt    int      // index of {businessType}; -1 without it
	idAt      int      // index of {businessId}; -1 without it
	wildcards string   // characters that are wildcards for the broker, refused in a literal level
}

// Values is the business a message's topic names. A template without a placeholder names
// nothing: the payload must.
type Values struct {
	Type, ID       string
	HasType, HasID bool
}

// ParseTemplate reads a template whose levels are separated by sep (MQTTSeparator or
// NATSSeparator). Each placeholder may appear once, as a whole level; a literal level must not be
// empty nor hold a wildcard of either broker (+ # * >).
func ParseTemplate(template string, sep byte) (Template, error) {
	t := Template{raw: template, sep: sep, typeAt: -1, idAt: -1, wildcards: "+#*>"}
	if template == "" {
		return t, fmt.Errorf("is empty: write a topic such as %q", strings.Join([]string{"pulse", "rowdata", placeholderType, placeholderID}, string(sep)))
	}
	t.segments = strings.Split(template, string(sep))
	for i, s := range t.segments {
		switch {
		case s == placeholderType:
			if t.typeAt >= 0 {
				return t, fmt.Errorf("%q has %s twice", template, placeholderType)
			}
			t.typeAt = i
		case s == placeholderID:
			if t.idAt >= 0 {
				return t, fmt.Errorf("%q has %s twice", template, placeholderID)
			}
			t.idAt = i
		case s == "":
			return t, fmt.Errorf("%q has an empty level (%q twice, or at an end)", template, string(sep))
		case strings.ContainsAny(s, "{}"):
			return t, fmt.Errorf("%q: level %q: a placeholder is %s or %s and takes a whole level", template, s, placeholderType, placeholderID)
		case strings.ContainsAny(s, t.wildcards):
			return t, fmt.Errorf("%q: level %q holds a wildcard (+ # * >): the template's placeholders are the wildcards", template, s)
		case strings.ContainsAny(s, " \t\r\n\x00"):
			return t, fmt.Errorf("%q: level %q holds white space", template, s)
		}
	}
	return t, nil
}

// String is the template as written.
func (t Template) String() string { return t.raw }

// Filter is the subscription: the template with each placeholder replaced by wildcard ("+" for
// MQTT, "*" for NATS).
func (t Template) Filter(wildcard string) string {
	out := make([]string, len(t.segments))
	for i, s := range t.segments {
		if i == t.typeAt || i == t.idAt {
			s = wildcard
		}
		out[i] = s
	}
	return strings.Join(out, string(t.sep))
}

// Match reads the business out of topic, a topic the subscription delivered; false when topic
// does not have the template's shape (another subscription's topic).
func (t Template) Match(topic string) (Values, bool) {
	levels := strings.Split(topic, string(t.sep))
	if len(levels) != len(t.segments) {
		return Values{}, false
	}
	var v Values
	for i, level := range levels {
		switch i {
		case t.typeAt:
			v.Type, v.HasType = level, true
		case t.idAt:
			v.ID, v.HasID = level, true
		default:
			if level != t.segments[i] {
				return Values{}, false
			}
		}
	}
	return v, true
}
