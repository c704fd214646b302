package device

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
)

func scopeOf(t *testing.T, patterns ...string) model.Scope {
	var out []model.Pattern
	for _, p := range patterns {
		pat, err := model.ParsePattern(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pat)
	}
	return model.ScopeOf(out)
}

func alarm(typ, id, level string) *model.Alarm {
	return &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: typ, BusinessId: id, Level: level}}
}

// TestSelects: a device receives what its owner's scope at registration covers and its filter
// selects (levels and businesses both, any value of each).
func TestSelects(t *testing.T) {
	d := &Device{Platform: FCM, Token: "t", Levels: []string{"critical", "major"}, Businesses: []string{"meter/m-1", "pump/*"}}
	if err := d.Check("alice", scopeOf(t, "meter/*", "pump/*")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a    *model.Alarm
		want bool
	}{
		{alarm("meter", "m-1", "critical"), true},
		{alarm("meter", "m-1", "minor"), false},
		{alarm("meter", "m-2", "critical"), false},
		{alarm("pump", "p-9", "major"), true},
		{alarm("valve", "v-1", "critical"), false},
	} {
		if got := d.Selects(c.a); got != c.want {
			t.Errorf("%s/%s %s: %v, want %v", c.a.BusinessType, c.a.BusinessId, c.a.Level, got, c.want)
		}
	}
	// No filter: everything the scope covers, and nothing else.
	all := &Device{Platform: APNs, Token: "t"}
	if err := all.Check("bob", scopeOf(t, "meter/*")); err != nil {
		t.Fatal(err)
	}
	if !all.Selects(alarm("meter", "m-7", "info")) || all.Selects(alarm("pump", "p-1", "critical")) {
		t.Error("an unfiltered device does not follow its owner's scope")
	}
}

// TestCheck: the same registration has the same id; a filter beyond the scope is
// ErrOutsideScope; a token without alarms patterns registers nothing.
func TestCheck(t *testing.T) {
	a, b := &Device{Platform: FCM, Token: "x"}, &Device{Platform: FCM, Token: "x", Levels: []string{"info"}}
	if err := errors.Join(a.Check("alice", scopeOf(t, "*")), b.Check("alice", scopeOf(t, "meter/*"))); err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || !strings.HasPrefix(a.ID, "dev_") || len(a.ID) != 30 {
		t.Errorf("ids %q %q", a.ID, b.ID)
	}
	if err := (&Device{Platform: FCM, Token: "x", Businesses: []string{"pump/*"}}).Check("alice", scopeOf(t, "meter/*")); !errors.Is(err, ErrOutsideScope) {
		t.Errorf("filter beyond scope: %v", err)
	}
	if err := (&Device{Platform: FCM, Token: "x", Businesses: []string{"*"}}).Check("alice", scopeOf(t, "meter/*")); !errors.Is(err, ErrOutsideScope) {
		t.Errorf("* within meter/*: %v", err)
	}
	if err := (&Device{Platform: FCM, Token: "x"}).Check("alice", scopeOf(t)); !errors.Is(err, ErrOutsideScope) {
		t.Errorf("a token covering nothing: %v", err)
	}
	if err := (&Device{Platform: FCM, Token: "x"}).Check("alice", model.Scope{}); err != nil {
		t.Errorf("auth off: %v", err)
	}
}
