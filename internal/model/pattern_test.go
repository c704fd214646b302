package model

import "testing"

func TestParsePattern(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" means refused
	}{
		{"*", "*"}, {"meter/*", "meter/*"}, {"meter/m-1", "meter/m-1"}, {"电表/一号", "电表/一号"},
		{"", ""}, {"meter", ""}, {"meter/", ""}, {"/m-1", ""}, {"*/m-1", ""}, {"*/*", ""},
		{"meter/a/b", ""}, {"meter/m\x01", ""}, {"meter/**", "meter/**"},
	} {
		p, err := ParsePattern(tc.in)
		if got := p.String(); (err == nil) != (tc.want != "") || (err == nil && got != tc.want) {
			t.Errorf("ParsePattern(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestPatternCovers(t *testing.T) {
	all, meter, one := Pattern{}, Pattern{"meter", "*"}, Pattern{"meter", "m-1"}
	for _, tc := range []struct {
		p       Pattern
		typ, id string
		want    bool
	}{
		{all, "meter", "m-1", true}, {all, "meter", "", true}, {all, "", "", true}, {all, "meter", "*", true},
		{meter, "meter", "m-1", true}, {meter, "meter", "*", true}, {meter, "meter", "", true},
		{meter, "pump", "m-1", false}, {meter, "", "", false}, {meter, "meterx", "m-1", false},
		{one, "meter", "m-1", true}, {one, "meter", "m-10", false}, {one, "meter", "*", false},
		{one, "meter", "", false}, {one, "pump", "m-1", false}, {one, "", "", false},
	} {
		if got := tc.p.Covers(tc.typ, tc.id); got != tc.want {
			t.Errorf("%s covers (%q, %q) = %v, want %v", tc.p, tc.typ, tc.id, got, tc.want)
		}
	}
	if !AnyCovers([]Pattern{one, meter}, "meter", "m-2") || AnyCovers([]Pattern{one}, "meter", "m-2") || AnyCovers(nil, "meter", "m-1") {
		t.Error("AnyCovers")
	}
}

func TestScope(t *testing.T) {
	meter := ScopeOf([]Pattern{{Type: "meter", ID: Wildcard}, {Type: "pump", ID: "p-7"}})
	for _, tc := range []struct {
		scope    Scope
		typ, id  string
		want     bool
		scopeAll bool
	}{
		{Scope{}, "meter", "m-1", true, true},        // auth off: everything
		{ScopeOf(nil), "meter", "m-1", false, false}, // a token without alarms: nothing
		{ScopeOf([]Pattern{{}}), "x", "y", true, true},
		{meter, "meter", "m-1", true, false},
		{meter, "pump", "p-7", true, false},
		{meter, "pump", "p-8", false, false},
		{meter, "", "", false, false},
	} {
		if got := tc.scope.Covers(tc.typ, tc.id); got != tc.want {
			t.Errorf("%+v.Covers(%q, %q) = %v, want %v", tc.scope, tc.typ, tc.id, got, tc.want)
		}
		if got := tc.scope.All(); got != tc.scopeAll {
			t.Errorf("%+v.All() = %v, want %v", tc.scope, got, tc.scopeAll)
		}
	}
}
