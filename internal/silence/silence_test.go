package silence

import (
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

func alarmOf(typ, id, alarmId, level, title, content string) *model.Alarm {
	return &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: typ, BusinessId: id, AlarmId: alarmId,
		Level: level, Title: title, Content: content}, Status: model.StatusActive}
}

func checked(t *testing.T, m Matchers, starts, ends int64) *Silence {
	t.Helper()
	s := &Silence{ID: NewID(), Matchers: m, StartsAt: starts, EndsAt: ends}
	if err := s.Check(starts); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMatches: fields AND, values OR; text is a case-insensitive substring of title or content.
func TestMatches(t *testing.T) {
	s := checked(t, Matchers{Businesses: []string{"meter/*", "pump/p-1"}, Levels: []string{"critical", "major"}, Text: "VOLT"}, 1, 2)
	for _, c := range []struct {
		a    *model.Alarm
		want bool
	}{
		{alarmOf("meter", "m-1", "a", "critical", "Over-voltage", ""), true},
		{alarmOf("pump", "p-1", "a", "major", "", "voltage low"), true},
		{alarmOf("pump", "p-2", "a", "major", "volt", ""), false},
		{alarmOf("meter", "m-1", "a", "minor", "volt", ""), false},
		{alarmOf("meter", "m-1", "a", "critical", "current", "amps"), false},
		{alarmOf("", "m-1", "a", "critical", "volt", ""), false},
	} {
		if got := s.Matches(c.a); got != c.want {
			t.Errorf("%+v: %v, want %v", c.a.AlarmBusinessData, got, c.want)
		}
	}
	ids := checked(t, Matchers{AlarmIds: []string{"a-1", "a-2"}}, 1, 2)
	if !ids.Matches(alarmOf("x", "y", "a-2", "info", "", "")) || ids.Matches(alarmOf("x", "y", "a-3", "info", "", "")) {
		t.Fatal("alarmIds: any of them")
	}
}

// TestCheckRefuses: what a silence cannot be, with the field named.
func TestCheckRefuses(t *testing.T) {
	now := time.Now().UnixMilli()
	for _, c := range []struct {
		s    Silence
		want string
	}{
		{Silence{EndsAt: now + 1}, "matchers"},
		{Silence{Matchers: Matchers{Levels: []string{"loud"}}, EndsAt: now + 1}, "matchers.levels"},
		{Silence{Matchers: Matchers{Businesses: []string{"a/b/c"}}, EndsAt: now + 1}, "matchers.businesses"},
		{Silence{Matchers: Matchers{AlarmIds: []string{""}}, EndsAt: now + 1}, "matchers.alarmIds"},
		{Silence{Matchers: Matchers{Text: "a\x00"}, EndsAt: now + 1}, "matchers.text"},
		{Silence{Matchers: Matchers{Text: strings.Repeat("a", MaxTextLen+1)}, EndsAt: now + 1}, "matchers.text"},
		{Silence{Matchers: Matchers{Levels: make([]string, MaxValues+1)}, EndsAt: now + 1}, "at most"},
		{Silence{Matchers: Matchers{Text: "x"}, EndsAt: now - 1}, "endsAt"},
		{Silence{Matchers: Matchers{Text: "x"}, StartsAt: now + 100, EndsAt: now + 50}, "endsAt"},
		{Silence{Matchers: Matchers{Text: "x"}, UntilCleared: true}, "untilCleared"},
		{Silence{Matchers: Matchers{Businesses: []string{"m/*"}, AlarmIds: []string{"a"}}, UntilCleared: true}, "untilCleared"},
		{Silence{Matchers: Matchers{Businesses: []string{"m/1"}, AlarmIds: []string{"a"}}, UntilCleared: true, EndsAt: now + 1}, "endsAt"},
		{Silence{Matchers: Matchers{Text: "x"}, EndsAt: now + 1, Comment: "\x07"}, "comment"},
	} {
		err := c.s.Check(now)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.s, err, c.want)
		}
	}
	ok := Silence{Matchers: Matchers{Businesses: []string{"m/1"}, AlarmIds: []string{"a"}}, UntilCleared: true}
	if err := ok.Check(now); err != nil {
		t.Fatalf("a shelf: %v", err)
	}
}

// TestWithin: every business pattern of a silence within the caller's; none is every business.
func TestWithin(t *testing.T) {
	scope := model.ScopeOf([]model.Pattern{{Type: "meter", ID: model.Wildcard}, {Type: "pump", ID: "p-1"}})
	for b, want := range map[string]bool{"meter/*": true, "meter/m-1": true, "pump/p-1": true, "pump/*": false, "pump/p-2": false, "*": false} {
		s := checked(t, Matchers{Businesses: []string{b}}, 1, 2)
		if got := s.Within(scope); got != want {
			t.Errorf("%s within meter/*, pump/p-1: %v, want %v", b, got, want)
		}
	}
	none := checked(t, Matchers{Levels: []string{"critical"}}, 1, 2)
	if none.Within(scope) || !none.Within(model.ScopeOf([]model.Pattern{{}})) || !none.Within(model.Scope{}) {
		t.Fatal("a silence without businesses is within * only")
	}
}

// TestMatchPrefersTheMark: of several active silences, the one an alarm is marked with holds it;
// else the oldest; one not started, ended, or past its end holds nothing.
func TestMatchPrefersTheMark(t *testing.T) {
	old := checked(t, Matchers{Text: "x"}, 10, 100)
	young := checked(t, Matchers{Text: "x"}, 10, 100)
	later := checked(t, Matchers{Text: "x"}, 50, 100)
	a := alarmOf("m", "1", "a", "info", "x", "")
	list := []*Silence{old, young, later}
	if got := Match(list, a, 20); got != old {
		t.Fatalf("unmarked: %v, want the oldest", got.ID)
	}
	a.Silenced = young.Mark()
	if got := Match(list, a, 20); got != young {
		t.Fatalf("marked by the younger: %v", got.ID)
	}
	if got := Match([]*Silence{later}, a, 20); got != nil {
		t.Fatal("a silence not started holds")
	}
	if got := Match(list, a, 100); got != nil {
		t.Fatal("at endsAt a silence holds")
	}
	ended := *old
	ended.Ended = true
	if got := Match([]*Silence{&ended}, a, 20); got != nil {
		t.Fatal("an ended silence holds")
	}
	set := NewSet()
	set.Replace(1, list)
	if !set.Silenced(*a, time.UnixMilli(20)) || set.Silenced(*a, time.UnixMilli(200)) {
		t.Fatal("Set.Silenced does not follow the times")
	}
}
