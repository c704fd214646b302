package model

import "testing"

// TestEncode: compact, no trailing newline, HTML characters as they are; what JSON cannot say is
// an error.
func TestEncode(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
		err  bool
	}{
		{"object", map[string]any{"type": "pong", "ts": 1}, `{"ts":1,"type":"pong"}`, false},
		{"HTML characters", map[string]string{"m": "<a & b>"}, `{"m":"<a & b>"}`, false},
		{"nested", struct {
			Data any `json:"data"`
		}{Data: []int{1, 2}}, `{"data":[1,2]}`, false},
		{"string", "a\nb", `"a\nb"`, false},
		{"not JSON", func() {}, "", true},
	} {
		got, err := Encode(tc.in)
		if string(got) != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: Encode = %q, %v; want %q (error: %v)", tc.name, got, err, tc.want, tc.err)
		}
	}
}
