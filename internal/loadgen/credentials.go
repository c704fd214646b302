package loadgen

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// With auth on, a subscriber's userName must equal its token's sub, so the tool reads sub from the
// token it was given. It does not verify the token: that is the servers' job, and a token they
// refuse fails the first handshake with their 401 or 403.

// tokenSubject is the sub claim of the JWT token, read without verifying the signature.
func tokenSubject(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || strings.IndexFunc(token, notTokenChar) >= 0 {
		return "", errors.New("--token: not a JWT (want three dot-separated parts, as `pulse token` prints)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("--token: the JWT's payload is not base64url")
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", errors.New("--token: the JWT's payload is not a JSON object")
	}
	if claims.Sub == "" {
		return "", errors.New("--token: the JWT has no sub: subscribers' userName must equal it")
	}
	return claims.Sub, nil
}

// notTokenChar: a JWT is base64url parts joined by dots; anything else (a space, a line break that
// would end the header field) means it is not one.
func notTokenChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

// checkIngestKey refuses a key that cannot be a header field's value, before the first POST.
func checkIngestKey(key string) error {
	if strings.IndexFunc(key, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 {
		return errors.New("--ingest-key: holds a space, a line break or a character outside ASCII: not a key `pulse key` prints")
	}
	return nil
}

// bearerField is the handshake's header field carrying token ("" without a token).
func bearerField(token string) string {
	if token == "" {
		return ""
	}
	return "\r\nAuthorization: Bearer " + token
}
