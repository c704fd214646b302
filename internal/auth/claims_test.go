package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// signRaw signs payload, a claims set written by hand (so that it can hold what no encoder
// writes: duplicate names, names in another case), with HS256 and secret.
func signRaw(t testing.TB, payload string) string {
	t.Helper()
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(unsigned, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestClaimsReadExactly: claim names are case-sensitive, exp/nbf/iat are JSON numbers, and a
// duplicate name anywhere in the claims refuses the token (RFC 7519, 4 and 2). Each forgery is
// signed with the right key: only the claims' reading can refuse it.
func TestClaimsReadExactly(t *testing.T) {
	v := verifier(t, config.JWT{HMACSecret: secret, Issuer: "https://idp.example/", Audience: "pulse", Leeway: 30 * time.Second})
	exp, iat := start.Add(time.Hour).Unix(), start.Add(-time.Minute).Unix()
	// claims are a valid claims set with extra prepended (a leading comma-free fragment).
	claims := func(sub, extra string) string {
		return fmt.Sprintf(`{%s"iss":"https://idp.example/","aud":"pulse","iat":%d,"exp":%d%s}`, sub, iat, exp, extra)
	}
	const alice = `"sub":"alice",`
	const grants = `,"pulse":{"alarms":["*"],"ack":true}`

	for _, c := range []struct{ name, payload, why string }{
		{"SUB and no sub", claims(`"SUB":"carol",`, grants), "the token has no sub"},
		{"Sub and no sub", claims(`"Sub":"carol",`, grants), "the token has no sub"},
		{"EXP and no exp", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","aud":"pulse","EXP":%d}`, exp), "the token has no exp"},
		{"Exp and no exp", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","aud":"pulse","Exp":%d}`, exp), "the token has no exp"},
		{"ISS and no iss", fmt.Sprintf(`{"sub":"alice","ISS":"https://idp.example/","aud":"pulse","exp":%d}`, exp), "the token's iss is not the configured issuer"},
		{"AUD and no aud", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","AUD":"pulse","exp":%d}`, exp), "the token's aud does not contain the configured audience"},
		{"exp a string", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","aud":"pulse","exp":"9999999999"}`), "the token's exp is not a JSON number"},
		{"exp true", `{"sub":"alice","iss":"https://idp.example/","aud":"pulse","exp":true}`, "the token's exp is not a JSON number"},
		{"exp an object", `{"sub":"alice","iss":"https://idp.example/","aud":"pulse","exp":{"n":1}}`, "the token's exp is not a JSON number"},
		{"nbf a string", claims(alice, `,"nbf":"0"`), "the token's nbf is not a JSON number"},
		{"iat a string", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","aud":"pulse","iat":"%d","exp":%d}`, iat, exp), "the token's iat is not a JSON number"},
		{"sub a number", claims(`"sub":7,`, ""), "the token's sub is not a string"},
		{"aud a number", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","aud":7,"exp":%d}`, exp), "the token's aud is neither a string nor a list of strings"},
		{"duplicate sub", claims(`"sub":"carol","sub":"alice",`, ""), `duplicate key "sub"`},
		{"duplicate exp", claims(alice, fmt.Sprintf(`,"exp":%d`, exp+1)), `duplicate key "exp"`},
		{"duplicate pulse", claims(alice, grants+`,"pulse":{}`), `duplicate key "pulse"`},
		{"duplicate inside pulse", claims(alice, `,"pulse":{"alarms":["meter/*"],"alarms":["*"]}`), `pulse: duplicate key "alarms"`},
		{"duplicate ack inside pulse", claims(alice, `,"pulse":{"ack":false,"ack":true}`), `pulse: duplicate key "ack"`},
		{"not an object", `["sub","alice"]`, "the token's claims are not a JSON object"},
		{"duplicate sub, one escaped", claims(`"sub":"carol","s\u0075b":"alice",`, ""), `duplicate key`},
		{"SUB escaped and no sub", claims(`"S\u0055B":"carol",`, ""), "the token has no sub"},
	} {
		token := signRaw(t, c.payload)
		_, err := v.Verify(context.Background(), token)
		refused(t, c.name, token, err, c.why)
	}

	// What exact reading still accepts: another claim whose name differs only in case is just
	// another claim, and "Pulse" grants nothing.
	for _, c := range []struct {
		name, payload string
		sub           string
		grants        int
		ack           bool
	}{
		{"sub and SUB", claims(`"SUB":"carol","sub":"alice",`, grants), "alice", 1, true},
		{"Pulse and no pulse", claims(alice, `,"Pulse":{"alarms":["*"],"ack":true}`), "alice", 0, false},
		{"PULSE beside pulse", claims(alice, `,"PULSE":{"alarms":["*"],"ack":true},"pulse":{"alarms":["meter/*"]}`), "alice", 1, false},
		{"fractional exp", fmt.Sprintf(`{"sub":"alice","iss":"https://idp.example/","aud":["pulse"],"exp":%d.5}`, exp), "alice", 0, false},
		{"null nbf", claims(alice, `,"nbf":null`), "alice", 0, false},
		{"sub escaped", claims(`"s\u0075b":"al\u0069ce",`, ""), "alice", 0, false},
		{"spaces and nesting", fmt.Sprintf("{ \"x\" : [ {\"sub\":\"mallory\"}, \"}\" ] ,\n\t\"sub\" : \"alice\" , \"exp\" : %d ,\"iss\":\"https://idp.example/\",\"aud\":\"pulse\", \"pulse\" : {\"alarms\" : [\"*\"] } }", exp), "alice", 1, false},
	} {
		id, err := v.Verify(context.Background(), signRaw(t, c.payload))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if id.Sub != c.sub || len(id.Alarms) != c.grants || id.Ack != c.ack {
			t.Errorf("%s: %+v, want sub %s, %d alarm patterns, ack %v", c.name, id, c.sub, c.grants, c.ack)
		}
	}
}

// BenchmarkVerifyUncached is the cost of verifying a token the cache does not hold: the claims'
// exact reading, the HMAC and the grants.
func BenchmarkVerifyUncached(b *testing.B) {
	v := verifier(b, config.JWT{HMACSecret: secret, Leeway: 30 * time.Second})
	token := mint(b, jwt.SigningMethodHS256, []byte(secret), claimsWith(nil), "")
	ctx := context.Background()
	for b.Loop() {
		v.cache = verified{}
		if _, err := v.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
