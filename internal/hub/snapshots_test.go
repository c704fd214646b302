package hub

import "testing"

// TestMarkSnapshot: an object gains "snapshot":true as its first member, whatever its spacing;
// anything that is not an object passes unchanged.
func TestMarkSnapshot(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"type":"rowdata","ts":1}`, `{"snapshot":true,"type":"rowdata","ts":1}`},
		{`{}`, `{"snapshot":true}`},
		{`{ }`, `{"snapshot":true }`},
		{"{\n}", "{\"snapshot\":true\n}"},
		{`{ "a":1}`, `{"snapshot":true, "a":1}`},
		{`[1,2]`, `[1,2]`},
		{`"text"`, `"text"`},
		{`{`, `{`},
		{``, ``},
	} {
		if got := string(markSnapshot([]byte(tc.in))); got != tc.want {
			t.Errorf("markSnapshot(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
