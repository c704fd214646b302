package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/config"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// FuzzVerify signs whatever claims it is given with the HMAC secret, so that every token reaches
// the claims' checks and the pulse claim's parsing, and also verifies the input as a token
// itself: no panic, every refusal of kind ErrInvalidCredentials without the token in its message,
// and every acceptance with a sub and an exp.
func FuzzVerify(f *testing.F) {
	exp := start.Add(time.Hour).Unix()
	for _, seed := range []string{
		`{"sub":"alice","exp":` + itoa(exp) + `,"pulse":{"rowdata":["meter/*"],"alarms":["*"],"ack":true}}`,
		`{"sub":"alice","exp":` + itoa(exp) + `}`,
		`{"sub":"alice","exp":` + itoa(exp) + `,"pulse":{"rowdata":"x","ack":1}}`,
		`{"sub":"alice","exp":1e400}`,
		`{"sub":"","exp":-1,"nbf":"x","aud":[1]}`,
		`{"sub":"a","exp":` + itoa(exp) + `,"pulse":{"alarms":["a/b/c","*/x","a/*",""]}}`,
		`[]`, `null`, `{`, "eyJhbGciOiJub25lIn0.e30.",
	} {
		f.Add([]byte(seed))
	}
	v := verifier(f, config.JWT{HMACSecret: secret, Leeway: 30 * time.Second})
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		signing := header + "." + base64.RawURLEncoding.EncodeToString(payload)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(signing))
		signed := signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
		if id, err := v.Verify(context.Background(), signed); err == nil {
			// The claims' own walk agrees with encoding/json's map, whose keys are exact.
			var set map[string]any
			if json.Unmarshal(payload, &set) != nil || set["sub"] != id.Sub {
				t.Fatalf("%q: accepted with sub %q, encoding/json reads %v", payload, id.Sub, set["sub"])
			}
		}
		for _, token := range []string{signed, string(payload)} {
			id, err := v.Verify(context.Background(), token)
			switch {
			case err == nil && (id.Sub == "" || id.Expires.IsZero()):
				t.Fatalf("accepted %q without sub or exp: %+v", payload, id)
			case err != nil && !errors.Is(err, ErrInvalidCredentials):
				t.Fatalf("%q: %v is not a refusal of credentials", payload, err)
			case err != nil && len(token) >= 16 && strings.Contains(err.Error(), token):
				t.Fatalf("the message shows the token: %v", err)
			}
		}
	})
}
