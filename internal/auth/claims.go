package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// claims are the claims Pulse reads: the registered ones and its own, read exactly as RFC 7519
// has them. encoding/json, which the library decodes with, matches names ignoring case ("SUB"
// would fill sub, "EXP" exp), lets the last of duplicate names win and takes a quoted number as
// a NumericDate; UnmarshalJSON reads the payload itself instead: names match exactly, exp, nbf
// and iat must be JSON numbers, and a duplicate name (anywhere in the payload) refuses the token.
// The library calls it before it checks the signature, so a refused payload costs no signature
// check.
type claims struct {
	jwt.RegisteredClaims
	Pulse json.RawMessage // the pulse claim, read by Identity.readGrants

	bad string // why UnmarshalJSON refused the payload, in our words, for Verifier.why
}

// UnmarshalJSON reads the claims Pulse knows from payload, the token's decoded claims set.
func (c *claims) UnmarshalJSON(payload []byte) error {
	if why := c.read(payload); why != "" {
		c.bad = why
		return errors.New(why)
	}
	return nil
}

// read fills c from payload, or says why it cannot.
func (c *claims) read(payload []byte) string {
	if err := strictjson.Check(payload); err != nil {
		// strictjson's words name at most a claim's name, never a value.
		return "the token's claims are not strict JSON: " + err.Error()
	}
	var why string
	ok := members(payload, func(name string, raw []byte) bool {
		switch name {
		case "sub", "iss", "jti":
			if !readString(raw, c.text(name)) {
				why = "the token's " + name + " is not a string"
			}
		case "exp", "nbf", "iat":
			if string(raw) == "null" {
				return true
			}
			if date, ok := readDate(raw); ok {
				*c.date(name) = date
			} else {
				why = "the token's " + name + " is not a JSON number (seconds since 1970)"
			}
		case "aud":
			if c.Audience.UnmarshalJSON(raw) != nil {
				why = "the token's aud is neither a string nor a list of strings"
			}
		case "pulse":
			c.Pulse = raw
		}
		return why == ""
	})
	switch {
	case why != "":
		return why
	case !ok:
		return "the token's claims are not a JSON object"
	}
	return ""
}

// text is where the string claim name goes.
func (c *claims) text(name string) *string {
	switch name {
	case "sub":
		return &c.Subject
	case "iss":
		return &c.Issuer
	}
	return &c.ID
}

// date is where the time claim name goes.
func (c *claims) date(name string) **jwt.NumericDate {
	switch name {
	case "exp":
		return &c.ExpiresAt
	case "nbf":
		return &c.NotBefore
	}
	return &c.IssuedAt
}

// members calls each with the name and raw value of every member of data, a JSON value
// strictjson accepted, until each returns false; false when data is not an object. Names are
// unescaped and compared exactly; the values are slices of data, not copies.
func members(data []byte, each func(name string, raw []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] == '"'; i = skipSpace(data, i+1) {
		end := skipValue(data, i)
		var name string
		if !readString(data[i:end], &name) {
			return false
		}
		i = skipSpace(data, end) + 1 // the colon
		i = skipSpace(data, i)
		end = skipValue(data, i)
		if !each(name, data[i:end]) {
			return false
		}
		if i = skipSpace(data, end); i >= len(data) || data[i] != ',' {
			break
		}
	}
	return true
}

// skipValue is the index just past the JSON value that starts at i in data, which is valid JSON.
func skipValue(data []byte, i int) int {
	if i < len(data) && data[i] != '"' && data[i] != '{' && data[i] != '[' {
		for i < len(data) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(data[i])) {
			i++ // a number or a literal
		}
		return i
	}
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		if depth == 0 {
			return i + 1
		}
	}
	return len(data)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// readString reads raw, a JSON value strictjson accepted, into dst when it is a string (or null,
// which leaves dst empty). A string without escapes is its bytes between the quotes: a token's
// claims are read once per token, and encoding/json's setup costs more than the HMAC.
func readString(raw json.RawMessage, dst *string) bool {
	switch {
	case len(raw) >= 2 && raw[0] == '"' && !bytes.ContainsRune(raw, '\\'):
		*dst = string(raw[1 : len(raw)-1])
		return true
	case len(raw) > 0 && raw[0] == '"', string(raw) == "null":
		return json.Unmarshal(raw, dst) == nil
	}
	return false
}

// readDate reads raw, a JSON value strictjson accepted, as a NumericDate when it is a number:
// seconds since 1970, perhaps with a fraction, truncated to the library's precision.
func readDate(raw json.RawMessage) (*jwt.NumericDate, bool) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return nil, false // a string, a literal or a composite
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	whole, frac := math.Modf(f)
	return jwt.NewNumericDate(time.Unix(int64(whole), int64(frac*1e9))), true
}
