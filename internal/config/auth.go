package config

import "time"

// Auth is the "auth" section: identity and access, off by default (see the contract's "Identity
// and access"). Load reads it; the auth package turns it into verifiers.
type Auth struct {
	Enabled    bool        `json:"enabled"`
	JWT        JWT         `json:"jwt"`        // tokens of people and their consoles
	IngestKeys []IngestKey `json:"ingestKeys"` // API keys of ingest services
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
	Allow      []string `json:"allow"`      // "rowdata", "alarm"
	Businesses []string `json:"businesses"` // business patterns: "T/I", "T/*", "*"
	Rate       float64  `json:"rate"`       // requests per second; 0 = unlimited; burst 2 x rate
}
