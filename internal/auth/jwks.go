package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// JWKSMinInterval: the JWKS is fetched at most this often, however many tokens name a kid it
	// does not hold, so that forged kids cost the identity provider one request per interval. A key
	// the provider publishes is accepted at most this long after it first signs a token.
	JWKSMinInterval = 5 * time.Second
	// JWKSMaxAge: keys fetched longer ago are fetched again on their next use, so that a key the
	// provider withdrew stops being accepted. A failed fetch keeps the keys known so far.
	JWKSMaxAge = 10 * time.Minute
	// jwksTimeout bounds one fetch; jwksMaxSize the document it reads.
	jwksTimeout = 10 * time.Second
	jwksMaxSize = 1 << 20
)

// jwksAlgs are the algorithms a JWKS key may have: asymmetric ones only, as a symmetric key
// served over the network would be a secret anyone could read.
var jwksAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"}

// keySet is the keys of a JWKS URL by kid, fetched on demand and refreshed.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time
	health *jwksHealth

	fetching  sync.Mutex // one fetch at a time; the others wait for its keys
	attempted time.Time  // the last fetch, under fetching

	mu      sync.RWMutex
	byKid   map[string][]verificationKey
	all     []verificationKey
	fetched time.Time // the last fetch that succeeded
}

func newKeySet(url string, now func() time.Time) *keySet {
	return &keySet{url: url, client: &http.Client{Timeout: jwksTimeout}, now: now, health: newJWKSHealth(url)}
}

// lookup is the keys of kid (every key when kid is ""), fetching the JWKS when kid is unknown or
// the keys are older than JWKSMaxAge, at most once per JWKSMinInterval.
func (s *keySet) lookup(ctx context.Context, kid string) []verificationKey {
	keys, fresh := s.find(kid)
	if len(keys) > 0 && fresh {
		return keys
	}
	s.refresh(ctx)
	keys, _ = s.find(kid)
	return keys
}

func (s *keySet) find(kid string) (keys []verificationKey, fresh bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fresh = !s.fetched.IsZero() && s.now().Sub(s.fetched) < JWKSMaxAge
	if kid == "" {
		return s.all, fresh
	}
	return s.byKid[kid], fresh
}

// refresh fetches the JWKS unless it was fetched less than JWKSMinInterval ago.
func (s *keySet) refresh(ctx context.Context) {
	s.fetching.Lock()
	defer s.fetching.Unlock()
	now := s.now()
	if !s.attempted.IsZero() && now.Sub(s.attempted) < JWKSMinInterval {
		return
	}
	s.attempted = now
	// The fetch serves every waiting token: one client going away must not cancel it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksTimeout)
	defer cancel()
	all, err := s.fetch(ctx)
	if err != nil {
		s.health.failed(now, err)
		return // the keys known so far stay; a token needing another gets 401
	}
	s.health.succeeded(now)
	byKid := make(map[string][]verificationKey, len(all))
	for _, k := range all {
		byKid[k.kid] = append(byKid[k.kid], k.verificationKey)
	}
	keys := make([]verificationKey, len(all))
	for i, k := range all {
		keys[i] = k.verificationKey
	}
	s.mu.Lock()
	s.byKid, s.all, s.fetched = byKid, keys, now
	s.mu.Unlock()
}

type kidKey struct {
	kid string
	verificationKey
}

// fetch reads the JWKS document. A key Pulse cannot use (a symmetric or encryption key, an
// unknown type or curve) is skipped, not an error: providers publish keys for others too.
func (s *keySet) fetch(ctx context.Context) ([]kidKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS: HTTP %d", resp.StatusCode)
	}
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, jwksMaxSize)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("JWKS: not a JSON key set")
	}
	out := make([]kidKey, 0, len(doc.Keys))
	for _, j := range doc.Keys {
		if k, err := j.verificationKey(); err == nil {
			out = append(out, kidKey{j.Kid, k})
		}
	}
	return out, nil
}

// jwk is one JSON Web Key (RFC 7517, 7518 6, 8037), public members only.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// verificationKey is the key j holds, with the algorithms it may verify: its alg when it names
// one, else those of its type.
func (j jwk) verificationKey() (verificationKey, error) {
	if j.Use != "" && j.Use != "sig" {
		return verificationKey{}, errors.New("not a signing key")
	}
	key, err := j.publicKey()
	if err != nil {
		return verificationKey{}, err
	}
	k := verificationKey{key: key, algs: algsOf(key)}
	if j.Alg != "" {
		if !k.allows(j.Alg) {
			return verificationKey{}, errors.New("alg does not fit the key")
		}
		k.algs = []string{j.Alg}
	}
	return k, nil
}

func (j jwk) publicKey() (crypto.PublicKey, error) {
	switch j.Kty {
	case "RSA":
		n, err1 := decode(j.N)
		e, err2 := decode(j.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("bad RSA key")
		}
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if key.N.BitLen() < 2048 || key.E < 3 {
			return nil, errors.New("weak RSA key")
		}
		return key, nil
	case "EC":
		curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[j.Crv]
		x, err1 := decode(j.X)
		y, err2 := decode(j.Y)
		if curve == nil || err1 != nil || err2 != nil {
			return nil, errors.New("bad EC key")
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, errors.New("bad EC key")
		}
		return ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
	case "OKP":
		x, err := decode(j.X)
		if j.Crv != "Ed25519" || err != nil || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("bad OKP key")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, errors.New("unsupported key type")
}

// decode reads base64url, with or without padding.
func decode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
