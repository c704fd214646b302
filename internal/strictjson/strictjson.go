// Package strictjson decodes JSON from untrusted clients strictly.
//
// encoding/json is lenient in ways a server on a network cannot keep: it matches field names
// case-insensitively (BUSINESSID fills businessId), the last of duplicate keys wins (so
// "businessId":"*","businessId":"ok" passes a check that looks at either one), invalid UTF-8 and
// lone surrogate escapes silently become U+FFFD, and a free-form value may nest thousands of levels
// deep and then crash the strict clients it is forwarded to. Unmarshal refuses all of that in one
// linear pass guided by the Go type, then lets encoding/json decode what is left, which is safe.
package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// MaxDepth is how deeply a free-form value (json.RawMessage, any, or a map of those) may nest:
// 32 levels of objects and arrays below the value itself.
const MaxDepth = 32

// MaxDocumentDepth caps the nesting of a whole document, so that no input is ever walked
// recursively without bound (a recursive Go type could otherwise nest forever).
const MaxDocumentDepth = 64

// Error says where a document was refused and why.
type Error struct {
	Path   string // where, in the style items[3].data.a; "" for the document itself
	Reason string // what is wrong, for a person to read
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

// Unmarshal decodes data into v, which must be a non-nil pointer, like json.Unmarshal, but
// refuses with an *Error: invalid JSON, data after the value, invalid UTF-8 (raw or as a lone
// surrogate escape), a duplicate key in any object, a key that is not exactly the JSON name of a
// field of the struct it is decoded into, a value of the wrong JSON kind or range for its field,
// and nesting beyond MaxDepth (free-form values) or MaxDocumentDepth (the document).
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &json.InvalidUnmarshalError{Type: reflect.TypeOf(v)}
	}
	if err := check(data, schemaOf(rv.Type().Elem())); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fromStdlib(err)
	}
	return nil
}

// Check refuses data as Unmarshal would refuse it for a free-form value, without decoding it.
// It suits a json.RawMessage that did not come through Unmarshal (built by Go code).
func Check(data []byte) error {
	return check(data, anySchema)
}

func check(data []byte, s *schema) error {
	var sc scanner
	sc.init(data)
	sc.skipSpace()
	if err := sc.value(s, 0); err != nil {
		return err
	}
	sc.skipSpace()
	if sc.pos < len(data) {
		return &Error{Reason: "unexpected data after the JSON value"}
	}
	return nil
}

// fromStdlib turns what encoding/json still refuses after the strict pass (a custom
// UnmarshalJSON, base64, a type JSON cannot fill) into an *Error.
func fromStdlib(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Type != nil {
		return &Error{Path: typeErr.Field, Reason: "cannot hold " + typeErr.Value + " (Go type " + typeErr.Type.String() + ")"}
	}
	return &Error{Reason: strings.TrimPrefix(err.Error(), "json: ")}
}
