package model

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// Wildcard as a subscription's businessId follows every businessId of its type. It is reserved
// for subscriptions: no published item may be addressed to it.
const Wildcard = "*"

// MaxSegmentLen is the longest businessType, businessId, user name or alarmId, in bytes.
const MaxSegmentLen = 128

// CheckName reports why s cannot be a businessType, businessId, user name or alarmId:
// 1 to MaxSegmentLen bytes of valid UTF-8 without control characters. Case matters; any script is fine.
func CheckName(s string) error {
	switch {
	case s == "":
		return errors.New("must not be empty")
	case len(s) > MaxSegmentLen:
		return errors.New("must be at most 128 bytes")
	case !utf8.ValidString(s):
		return errors.New("must be valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errors.New("must not contain control characters")
		}
	}
	return nil
}

// CheckAddress reports why s cannot be the businessType or businessId of published data: it must
// be a name by CheckName, and not Wildcard.
func CheckAddress(s string) error {
	if err := CheckName(s); err != nil {
		return err
	}
	if s == Wildcard {
		return errors.New(`"*" is reserved for subscriptions`)
	}
	return nil
}
