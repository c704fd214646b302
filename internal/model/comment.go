package model

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// MaxCommentLen is the longest comment of an acknowledgement or a clear, in bytes.
const MaxCommentLen = 1024

// CheckComment reports why s cannot be the comment of an acknowledgement or a clear: at most
// MaxCommentLen bytes of valid UTF-8 without control characters other than newline and tab. The
// empty comment is none.
func CheckComment(s string) error {
	switch {
	case len(s) > MaxCommentLen:
		return errors.New("must be at most 1024 bytes")
	case !utf8.ValidString(s):
		return errors.New("must be valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return errors.New("must not contain control characters other than newline and tab")
		}
	}
	return nil
}
