package model

import (
	"strings"
	"testing"
)

// TestCheckName: a name is 1 to 128 bytes of valid UTF-8 without control characters; "*" is a name.
func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		in, err string
	}{
		{"m-1", ""},
		{"电表", ""},
		{"*", ""},
		{strings.Repeat("a", MaxSegmentLen), ""},
		{"", "must not be empty"},
		{strings.Repeat("a", MaxSegmentLen+1), "must be at most 128 bytes"},
		{"m\xff", "must be valid UTF-8"},
		{"m\n1", "must not contain control characters"},
		{"m\u00851", "must not contain control characters"},
	} {
		if got := errText(CheckName(tc.in)); got != tc.err {
			t.Errorf("CheckName(%q) = %q, want %q", tc.in, got, tc.err)
		}
	}
}

// TestCheckAddress: an address is a name other than Wildcard.
func TestCheckAddress(t *testing.T) {
	for _, tc := range []struct {
		in, err string
	}{
		{"m-1", ""},
		{"**", ""},
		{"a*", ""},
		{Wildcard, `"*" is reserved for subscriptions`},
		{"", "must not be empty"},
		{"m\t", "must not contain control characters"},
	} {
		if got := errText(CheckAddress(tc.in)); got != tc.err {
			t.Errorf("CheckAddress(%q) = %q, want %q", tc.in, got, tc.err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
