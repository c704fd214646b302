package buildinfo

import (
	"runtime/debug"
	"testing"
)

// TestFill: what the linker set wins; what it left empty comes from Go's vcs settings, with a
// change in the work tree shown on the commit.
func TestFill(t *testing.T) {
	bi := &debug.BuildInfo{
		Main: debug.Module{Version: "v0.0.0-20261201040000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-12-01T04:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := fill(Info{}, bi)
	want := Info{Version: "v0.0.0-20261201040000-0123456789ab+dirty", Commit: "0123456789abcdef-dirty", Built: "2026-12-01T04:00:00Z"}
	if got != want {
		t.Errorf("from Go's build information: %+v, want %+v", got, want)
	}
	linked := Info{Version: "v1.2.0-3-gabc", Commit: "abc", Built: "2026-12-01T05:00:00Z"}
	if got := fill(linked, bi); got != linked {
		t.Errorf("with -ldflags: %+v, want what the linker set, %+v", got, linked)
	}
	if got := fill(Info{}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); got != (Info{}) {
		t.Errorf("without vcs settings: %+v, want nothing filled", got)
	}
	if s := linked.String(); s != "pulse v1.2.0-3-gabc (commit abc, built 2026-12-01T05:00:00Z)" {
		t.Errorf("String() = %q", s)
	}
}
