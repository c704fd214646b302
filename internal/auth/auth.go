// Package auth verifies the JWTs of people and their consoles (see the contract's "Identity and
// access"): a Verifier built from auth.jwt turns a token into an Identity, or refuses it with an
// error of kind ErrInvalidCredentials. No message it makes contains a token or a key. It knows
// nothing of GoFrame: the HTTP and WebSocket doors map its errors to 401.
package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// ErrInvalidCredentials is the kind of every refusal of a token (errors.Is): missing, malformed,
// a signature that does not verify, an algorithm not allowed, wrong iss or aud, expired, not yet
// valid, or a pulse claim that does not parse. The doors answer it with 401.
var ErrInvalidCredentials = errors.New("invalid credentials")

// refusal is an error of kind ErrInvalidCredentials saying why, in words of our own: never the
// library's message, which could quote a part of the token.
type refusal string

func (r refusal) Error() string        { return ErrInvalidCredentials.Error() + ": " + string(r) }
func (r refusal) Is(target error) bool { return target == ErrInvalidCredentials }

// Identity is who a verified token says its bearer is, and what the bearer may do.
type Identity struct {
	Sub     string          // the user
	Expires time.Time       // exp; the connection ends at Expires + Leeway unless refreshed
	RowData []model.Pattern // businesses whose row data the user may follow
	Alarms  []model.Pattern // businesses whose alarms the user may see
	Ack     bool            // may acknowledge and clear the alarms it sees
}

// Verifier verifies tokens against the keys of auth.jwt. It is safe for concurrent use.
type Verifier struct {
	parser *jwt.Parser
	algs   map[string]bool // the algorithms of the configured keys: no other is accepted
	hmac   []byte
	keys   []verificationKey // auth.jwt.publicKeys
	jwks   *keySet           // auth.jwt.jwksUrl; nil without
	issuer string
	leeway time.Duration
	now    func() time.Time // the clock of exp, nbf, iat and the JWKS refreshes; tests move it
	cache  verified         // tokens verified lately
}

// verificationKey is a public key and the algorithms a token verified with it may name.
type verificationKey struct {
	key  crypto.PublicKey
	algs []string
}

func (k verificationKey) allows(alg string) bool {
	for _, a := range k.algs {
		if a == alg {
			return true
		}
	}
	return false
}

// hmacAlgs are the algorithms of auth.jwt.hmacSecret.
var hmacAlgs = []string{"HS256", "HS384", "HS512"}

// algsOf are the algorithms that sign with the private half of key: each ECDSA curve has one.
func algsOf(key crypto.PublicKey) []string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return []string{"RS256", "RS384", "RS512"}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []string{"ES256"}
		case elliptic.P384():
			return []string{"ES384"}
		case elliptic.P521():
			return []string{"ES512"}
		}
	case ed25519.PublicKey:
		return []string{"EdDSA"}
	}
	return nil
}

// New builds the Verifier of cfg, reading its public keys now. It refuses a configuration without
// a key source, or with a key that cannot work, naming the key (never showing it).
func New(cfg config.JWT) (*Verifier, error) {
	v := &Verifier{algs: map[string]bool{}, issuer: cfg.Issuer, leeway: cfg.Leeway, now: time.Now}
	switch {
	case cfg.HMACSecret == "" && len(cfg.PublicKeys) == 0 && cfg.JWKSURL == "":
		return nil, errors.New("auth.jwt: no key source: set hmacSecret, publicKeys or jwksUrl")
	case cfg.HMACSecret != "" && len(cfg.HMACSecret) < config.MinHMACSecret:
		return nil, fmt.Errorf("auth.jwt.hmacSecret: is set but shorter than %d bytes", config.MinHMACSecret)
	case cfg.Leeway < 0:
		return nil, errors.New("auth.jwt.leeway: must not be negative")
	}
	if cfg.HMACSecret != "" {
		v.hmac = []byte(cfg.HMACSecret)
		v.allow(hmacAlgs)
	}
	for i, entry := range cfg.PublicKeys {
		key, err := config.PublicKey(entry)
		if err != nil {
			return nil, fmt.Errorf("auth.jwt.publicKeys[%d]: %w", i, err)
		}
		k := verificationKey{key: key, algs: algsOf(key)}
		v.keys = append(v.keys, k)
		v.allow(k.algs)
	}
	if cfg.JWKSURL != "" {
		v.jwks = newKeySet(cfg.JWKSURL, func() time.Time { return v.now() })
		v.allow(jwksAlgs)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.allowed()),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return v.now() }),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

func (v *Verifier) allow(algs []string) {
	for _, a := range algs {
		v.algs[a] = true
	}
}

func (v *Verifier) allowed() []string {
	out := make([]string, 0, len(v.algs))
	for a := range v.algs {
		out = append(out, a)
	}
	return out
}

// JWKS is the status of the fetches of auth.jwt.jwksUrl; ok is false without one.
func (v *Verifier) JWKS() (status JWKSStatus, ok bool) {
	if v.jwks == nil {
		return JWKSStatus{}, false
	}
	return v.jwks.health.read(), true
}

// FetchJWKS fetches the JWKS now, unless it was fetched less than JWKSMinInterval ago, and returns
// why the last fetch failed, or nil. The start calls it so that a provider that cannot be reached
// is said at once rather than at the first token. Without a jwksUrl it does nothing.
func (v *Verifier) FetchJWKS(ctx context.Context) error {
	if v.jwks == nil {
		return nil
	}
	v.jwks.refresh(ctx)
	if s := v.jwks.health.read(); s.LastError != "" {
		return errors.New(s.LastError)
	}
	return nil
}

// LogJWKSFailures sends a line to log for a failed JWKS fetch (at most once per JWKSLogEvery) and
// for the first fetch that succeeds after failures. Call it before the verifier is used.
func (v *Verifier) LogJWKSFailures(log func(message string)) {
	if v.jwks != nil {
		v.jwks.health.mu.Lock()
		v.jwks.health.log = log
		v.jwks.health.mu.Unlock()
	}
}

// Leeway is the clock skew allowed on exp, nbf and iat: a connection ends at exp + Leeway.
func (v *Verifier) Leeway() time.Duration { return v.leeway }

// Verify verifies token and returns the identity it carries. ctx bounds a JWKS fetch the token's
// kid may need. Every refusal is of kind ErrInvalidCredentials.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, refusal("no token")
	}
	now := v.now()
	if id, ok := v.cache.get(token, now); ok {
		return id, nil
	}
	var c claims
	var unavailable bool // the JWKS lacks the token's kid and its last fetch failed
	tok, err := v.parser.ParseWithClaims(token, &c, v.keyfunc(ctx, &unavailable))
	if err != nil {
		return Identity{}, v.why(err, tok, &c, unavailable)
	}
	if c.Subject == "" {
		return Identity{}, refusal("the token has no sub")
	}
	if err := model.CheckName(c.Subject); err != nil {
		// CheckName's words, not the sub: the claim is the token's content.
		return Identity{}, refusal("the token's sub is not a user name: " + err.Error())
	}
	id := Identity{Sub: c.Subject, Expires: c.ExpiresAt.Time}
	if err := id.readGrants(c.Pulse); err != nil {
		return Identity{}, err
	}
	until := id.Expires.Add(v.leeway)
	if limit := now.Add(cacheFor); limit.Before(until) {
		until = limit
	}
	v.cache.put(token, id, until)
	return id, nil
}

// errNoKey: no configured key can verify the token (its kid is unknown, or no key has its alg).
var errNoKey = errors.New("no key")

// errKeysUnavailable: no key can verify the token, and the JWKS, which might have its kid, could
// not be fetched.
var errKeysUnavailable = errors.New("signing keys unavailable")

// keyfunc gives the library the keys that may have signed a token: the HMAC secret for HS*, else
// the public keys whose algorithms include the token's, and the JWKS key of its kid. It sets
// *unavailable when the JWKS has no key for the token and its last fetch failed.
func (v *Verifier) keyfunc(ctx context.Context, unavailable *bool) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if strings.HasPrefix(alg, "HS") {
			if v.hmac == nil {
				return nil, errNoKey
			}
			return v.hmac, nil
		}
		var set []jwt.VerificationKey
		for _, k := range v.keys {
			if k.allows(alg) {
				set = append(set, k.key)
			}
		}
		if v.jwks != nil {
			kid, _ := t.Header["kid"].(string)
			found := false
			for _, k := range v.jwks.lookup(ctx, kid) {
				if k.allows(alg) {
					set, found = append(set, k.key), true
				}
			}
			*unavailable = !found && v.jwks.health.failing()
		}
		switch {
		case len(set) == 0 && *unavailable:
			return nil, errKeysUnavailable
		case len(set) == 0:
			return nil, errNoKey
		}
		return jwt.VerificationKeySet{Keys: set}, nil
	}
}

// why turns the library's refusal into ours. unavailable: the JWKS could not be fetched and
// lacks the token's kid, so a signature that does not verify says that rather than "forged".
func (v *Verifier) why(err error, tok *jwt.Token, c *claims, unavailable bool) error {
	switch {
	case c.bad != "":
		return refusal(c.bad)
	case errors.Is(err, jwt.ErrTokenMalformed) || tok == nil:
		return refusal("the token is malformed")
	case tok.Method == nil || !v.algs[tok.Method.Alg()]:
		return refusal("the token's alg is not allowed: it must be one of the configured keys' algorithms")
	case errors.Is(err, errKeysUnavailable) || (unavailable && errors.Is(err, jwt.ErrTokenSignatureInvalid)):
		return refusal("signing keys unavailable: the identity provider's keys (auth.jwt.jwksUrl) could not be fetched; retry later")
	case errors.Is(err, errNoKey):
		return refusal("no configured key matches the token's kid and alg")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return refusal("the token's signature does not verify")
	case errors.Is(err, jwt.ErrTokenExpired):
		return refusal("the token has expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return refusal("the token is not valid yet (nbf)")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refusal("the token is issued in the future (iat)")
	case c.ExpiresAt == nil:
		return refusal("the token has no exp")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer) || (v.issuer != "" && c.Issuer == ""):
		return refusal("the token's iss is not the configured issuer")
	case errors.Is(err, jwt.ErrTokenInvalidAudience) || errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refusal("the token's aud does not contain the configured audience")
	}
	return refusal("the token does not verify")
}

// readGrants reads the pulse claim, {"rowdata":[patterns],"alarms":[patterns],"ack":bool}, into
// id; raw has passed strictjson (claims.read). No claim grants nothing. Keys match exactly: "Ack"
// is not "ack".
func (id *Identity) readGrants(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	const form = `the pulse claim must be {"rowdata":["type/id"|"type/*"|"*",...],"alarms":[...],"ack":true|false}`
	var err error
	ok := members(raw, func(name string, value []byte) bool {
		switch name {
		case "rowdata":
			id.RowData, err = patterns(value, "rowdata")
		case "alarms":
			id.Alarms, err = patterns(value, "alarms")
		case "ack":
			switch string(value) {
			case "true":
				id.Ack = true
			case "false", "null":
				id.Ack = false
			default:
				err = refusal(form + ": ack is not true or false")
			}
		}
		return err == nil
	})
	switch {
	case err != nil:
		return err
	case !ok:
		return refusal(form)
	}
	return nil
}

// patterns reads the list of business patterns at pulse.<name>.
func patterns(raw json.RawMessage, name string) ([]model.Pattern, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, refusal(fmt.Sprintf("pulse.%s is not a list of business patterns", name))
	}
	out := make([]model.Pattern, 0, len(list))
	for i, s := range list {
		p, err := model.ParsePattern(s)
		if err != nil {
			// ParsePattern's words, not s: the claim is the token's content.
			return nil, refusal(fmt.Sprintf("pulse.%s[%d] is not a business pattern: %v", name, i, err))
		}
		out = append(out, p)
	}
	return out, nil
}

// FromRequest is the token a WebSocket handshake carries: "Authorization: Bearer <jwt>"
// (services, native and mobile apps), else the access_token query parameter (browsers, which
// cannot set headers on a WebSocket).
func FromRequest(r *http.Request) (token string, ok bool) {
	if t, ok := FromHeader(r); ok {
		return t, true
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return t, true
	}
	return "", false
}

// FromHeader is the token of "Authorization: Bearer <jwt>": the only place the HTTP API takes one
// (a token in a URL ends up in access logs and browser history).
func FromHeader(r *http.Request) (token string, ok bool) {
	if scheme, t, found := strings.Cut(r.Header.Get("Authorization"), " "); found && strings.EqualFold(scheme, "Bearer") {
		if t = strings.TrimSpace(t); t != "" {
			return t, true
		}
	}
	return "", false
}
