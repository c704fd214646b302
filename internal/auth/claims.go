package auth

import (
	"encoding/json"
	"errors"

	"github.com/golang-jwt/jwt/v5"

	"pulse/internal/strictjson"
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
	var set map[string]json.RawMessage // exact names: no case folding in a map's keys
	if err := json.Unmarshal(payload, &set); err != nil {
		return "the token's claims are not a JSON object"
	}
	for _, name := range [...]string{"sub", "iss", "jti"} {
		if raw, ok := set[name]; ok && json.Unmarshal(raw, c.text(name)) != nil {
			return "the token's " + name + " is not a string"
		}
	}
	for _, name := range [...]string{"exp", "nbf", "iat"} {
		raw, ok := set[name]
		if !ok || string(raw) == "null" {
			continue
		}
		date := new(jwt.NumericDate)
		if !isNumber(raw) || date.UnmarshalJSON(raw) != nil {
			return "the token's " + name + " is not a JSON number (seconds since 1970)"
		}
		*c.date(name) = date
	}
	if raw, ok := set["aud"]; ok && c.Audience.UnmarshalJSON(raw) != nil {
		return "the token's aud is neither a string nor a list of strings"
	}
	c.Pulse = set["pulse"]
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

// isNumber reports whether raw, a JSON value strictjson accepted, is a number rather than a
// string, a literal or a composite.
func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}
