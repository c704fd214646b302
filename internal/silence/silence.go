package silence

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// Limits of one silence's matchers.
const (
	MaxValues  = 100 // values of one matcher field
	MaxTextLen = 512 // bytes of the text matcher
)

// Matchers select alarms: every field given must match (AND), any value of a field (OR).
type Matchers struct {
	Businesses []string `json:"businesses,omitempty" dc:"business patterns: type/id, type/* or * (within the caller's alarms patterns)"`
	Levels     []string `json:"levels,omitempty" dc:"alarm levels: critical, major, minor, warning, info"`
	AlarmIds   []string `json:"alarmIds,omitempty" dc:"alarm ids"`
	Text       string   `json:"text,omitempty" dc:"a case-insensitive substring of the alarm's title or content" eg:"maintenance"`
}

// Silence holds back the notifications of the alarms its matchers select while it is active.
type Silence struct {
	ID           string   `json:"id" eg:"sil_k3j5v7x9b2d4f6h8"`
	Matchers     Matchers `json:"matchers"`
	StartsAt     int64    `json:"startsAt" dc:"unix ms" eg:"1732250000000"`
	EndsAt       int64    `json:"endsAt" dc:"unix ms; 0 for a silence until cleared" eg:"1732253600000"`
	UntilCleared bool     `json:"untilCleared,omitempty" dc:"ends when its one alarm is cleared (shelving)"`
	Comment      string   `json:"comment" eg:"substation maintenance until 10:00"`
	CreatedBy    string   `json:"createdBy" eg:"alice"`
	CreatedAt    int64    `json:"createdAt" dc:"unix ms" eg:"1732250000000"`
	// Ended: its end (or deletion) was committed: the alarms it held were unsilenced.
	Ended bool `json:"-"`
	// Started: its start was committed: the alarms it selected then were silenced.
	Started bool `json:"-"`

	patterns []model.Pattern // Matchers.Businesses, parsed
	text     string          // Matchers.Text, lower case
}

// NewID is a fresh silence id: "sil_" and 16 random base32 characters.
func NewID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return "sil_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

var levels = []string{model.LevelCritical, model.LevelMajor, model.LevelMinor, model.LevelWarning, model.LevelInfo}

// Check reports what is wrong with s's matchers, times and comment, as a message naming the
// field; now is the server's time, unix ms. It prepares s for Matches.
func (s *Silence) Check(now int64) error {
	m := s.Matchers
	if len(m.Businesses) == 0 && len(m.Levels) == 0 && len(m.AlarmIds) == 0 && m.Text == "" {
		return errors.New("matchers: give at least one of businesses, levels, alarmIds, text")
	}
	for name, n := range map[string]int{"businesses": len(m.Businesses), "levels": len(m.Levels), "alarmIds": len(m.AlarmIds)} {
		if n > MaxValues {
			return fmt.Errorf("matchers.%s: at most %d values", name, MaxValues)
		}
	}
	for _, l := range m.Levels {
		if !slices.Contains(levels, l) {
			return fmt.Errorf("matchers.levels: %q is not a level (critical, major, minor, warning, info)", l)
		}
	}
	for _, id := range m.AlarmIds {
		if err := model.CheckName(id); err != nil {
			return fmt.Errorf("matchers.alarmIds: %v", err)
		}
	}
	if len(m.Text) > MaxTextLen || strings.ContainsFunc(m.Text, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Errorf("matchers.text: at most %d bytes, without control characters", MaxTextLen)
	}
	if err := s.prepare(); err != nil {
		return err
	}
	if err := model.CheckComment(s.Comment); err != nil {
		return fmt.Errorf("comment: %v", err)
	}
	switch {
	case s.StartsAt < 0:
		return errors.New("startsAt: unix milliseconds, 0 or absent for now")
	case s.UntilCleared && s.EndsAt != 0:
		return errors.New("endsAt: a silence until cleared has none")
	case s.UntilCleared && (len(m.AlarmIds) != 1 || len(s.patterns) != 1 || s.patterns[0].Type == "" || s.patterns[0].ID == model.Wildcard):
		return errors.New("untilCleared: shelves one alarm: give one alarmId and one business type/id")
	case !s.UntilCleared && s.EndsAt <= max(s.StartsAt, now):
		return errors.New("endsAt: unix milliseconds after startsAt and after now")
	}
	return nil
}

// prepare parses what Matches reads; a silence read from the store is prepared by it too.
func (s *Silence) prepare() error {
	s.patterns = s.patterns[:0]
	for _, b := range s.Matchers.Businesses {
		p, err := model.ParsePattern(b)
		if err != nil {
			return fmt.Errorf("matchers.businesses: %q: %v", b, err)
		}
		s.patterns = append(s.patterns, p)
	}
	s.text = strings.ToLower(s.Matchers.Text)
	return nil
}

// Prepare readies a silence read back from storage (checked when it was made) for Matches.
func (s *Silence) Prepare() error { return s.prepare() }

// Matches reports whether s's matchers select the alarm a (whatever the time).
func (s *Silence) Matches(a *model.Alarm) bool {
	m := &s.Matchers
	if len(s.patterns) > 0 && !model.AnyCovers(s.patterns, a.BusinessType, a.BusinessId) {
		return false
	}
	if len(m.Levels) > 0 && !slices.Contains(m.Levels, a.Level) {
		return false
	}
	if len(m.AlarmIds) > 0 && !slices.Contains(m.AlarmIds, a.AlarmId) {
		return false
	}
	if s.text != "" && !strings.Contains(strings.ToLower(a.Title), s.text) && !strings.Contains(strings.ToLower(a.Content), s.text) {
		return false
	}
	return true
}

// ActiveAt reports whether s is in force at now (unix ms).
func (s *Silence) ActiveAt(now int64) bool {
	return !s.Ended && s.StartsAt <= now && (s.UntilCleared || now < s.EndsAt)
}

// Patterns are the business patterns of s: "*" when it names none.
func (s *Silence) Patterns() []model.Pattern {
	if len(s.patterns) == 0 {
		return []model.Pattern{{}}
	}
	return s.patterns
}

// Within reports whether every business s can silence is within scope: a silence without
// businesses matches every business, so it needs a scope of every business.
func (s *Silence) Within(scope model.Scope) bool {
	if scope.All() {
		return true
	}
	granted, _ := scope.Patterns()
	for _, p := range s.Patterns() {
		if !covered(granted, p) {
			return false
		}
	}
	return true
}

// covered reports whether one of granted covers every business p covers.
func covered(granted []model.Pattern, p model.Pattern) bool {
	for _, g := range granted {
		switch {
		case g.Type == "":
			return true
		case p.Type == "" || g.Type != p.Type:
		case g.ID == model.Wildcard || g.ID == p.ID:
			return true
		}
	}
	return false
}

// Mark is what an alarm's state says of the silence it is under.
func (s *Silence) Mark() *model.SilenceMark {
	return &model.SilenceMark{Id: s.ID, EndsAt: s.EndsAt, Comment: s.Comment, CreatedBy: s.CreatedBy}
}
