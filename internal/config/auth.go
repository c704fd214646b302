package config

import (
	"fmt"
	"math"
	"time"
)

// Auth is the "auth" section: identity and access, off by default (see the contract's "Identity
// and access"). Load reads it; the auth package turns it into verifiers.
type Auth struct {
	Enabled    bool        `json:"enabled"`
	JWT        JWT         `json:"jwt"`        // tokens of people and their consoles
	IngestKeys []IngestKey `json:"ingestKeys"` // API keys of ingest services
	// UserRate is the requests per second each user (sub) may make on the API for people (the
	// routes whose credential is a token), burst twice that; 0 = unlimited.
	UserRate float64 `json:"userRate"`
}

// DefaultUserRate is auth.userRate's default: far above what a person's consoles ask (a list on
// open, an ack now and then), far below what a script can.
const DefaultUserRate = 20

// userRate reads auth.userRate: 0 (no limit), or enough requests per second for a burst (twice
// the rate) of at least one request.
func userRate(dst *float64) field {
	return func(raw any) error {
		n, ok := number(raw)
		switch {
		case !ok || math.IsNaN(n) || math.IsInf(n, 0):
			return fmt.Errorf("%s is not a number: it must be 0 (no limit) or at least 0.5 requests per second", show(raw))
		case n != 0 && n < 0.5:
			return fmt.Errorf("%s is out of range: it must be 0 (no limit) or at least 0.5 requests per second (a burst of one request)", show(raw))
		}
		*dst = n
		return nil
	}
}

// JWT is auth.jwt: where the keys that sign tokens come from, and the claims every token must meet.
// At least one key source (HMACSecret, PublicKeys, JWKSURL) when auth is enabled.
type JWT struct {
	HMACSecret string        `json:"hmacSecret"` // HS256 / HS384 / HS512
	PublicKeys []string      `json:"publicKeys"` // PEM text or paths of PEM files: RS*, ES*, EdDSA
	JWKSURL    string        `json:"jwksUrl"`    // keys fetched by "kid" and refreshed
	Issuer     string        `json:"issuer"`     // when set, "iss" must equal it
	Audience   string        `json:"audience"`   // when set, "aud" must contain it
	Leeway     time.Duration `json:"leeway"`     // clock skew allowed on exp, nbf, iat
}

// IngestKey is one entry of auth.ingestKeys: an ingest service's API key, stored as its SHA-256.
type IngestKey struct {
	Name       string   `json:"name"`       // shown in logs and metrics, never the key
	KeySHA256  string   `json:"keySha256"`  // hex SHA-256 of the key
	Allow      []string `json:"allow"`      // "rowdata", "alarm", "notice"
	Businesses []string `json:"businesses"` // business patterns: "T/I", "T/*", "*"
	Rate       float64  `json:"rate"`       // items per second; 0 = unlimited; burst 2 x rate
}
