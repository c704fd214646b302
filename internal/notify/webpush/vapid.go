package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// VAPID is an application server's key pair (RFC 8292): the private key signs a JWT on every
// request; the public key is the applicationServerKey browsers subscribe with.
type VAPID struct {
	key    *ecdsa.PrivateKey
	public string // base64url (no padding) of the uncompressed P-256 point
}

// GenerateVAPID makes a fresh key pair: the public key as the uncompressed P-256 point and the
// private key as the 32-byte scalar, both base64url without padding (the form browsers and
// other Web Push libraries use).
func GenerateVAPID() (public, private string, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	pub, err := k.PublicKey.Bytes()
	if err != nil {
		return "", "", err
	}
	priv, err := k.Bytes()
	if err != nil {
		return "", "", err
	}
	return b64.EncodeToString(pub), b64.EncodeToString(priv), nil
}

// ParseVAPID reads a key pair in GenerateVAPID's form and checks that the two keys belong
// together (a mismatch would make every push service refuse every message).
func ParseVAPID(public, private string) (*VAPID, error) {
	pub, err := decodeB64(public)
	if err != nil {
		return nil, errors.New("vapidPublicKey: is not base64url")
	}
	pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub)
	if err != nil {
		return nil, errors.New("vapidPublicKey: is not an uncompressed P-256 point (65 bytes starting 0x04): `pulse vapid` prints a pair")
	}
	priv, err := decodeB64(private)
	if err != nil {
		return nil, errors.New("vapidPrivateKey: is not base64url")
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), priv)
	if err != nil {
		return nil, errors.New("vapidPrivateKey: is not a P-256 private key (32 bytes): `pulse vapid` prints a pair")
	}
	if !k.PublicKey.Equal(pk) {
		return nil, errors.New("vapidPublicKey: is not the public key of vapidPrivateKey")
	}
	return &VAPID{key: k, public: b64.EncodeToString(pub)}, nil
}

// PublicKey is the public key, base64url: browsers pass it to pushManager.subscribe as
// applicationServerKey, and every request carries it (k=).
func (v *VAPID) PublicKey() string { return v.public }

// TokenTTL is how long a VAPID JWT is valid; RFC 8292 allows at most 24 hours.
const TokenTTL = 12 * time.Hour

// Authorization is the Authorization header of a request to endpoint: "vapid t=<JWT>, k=<public
// key>", the JWT (ES256) naming the endpoint's origin (aud), an expiry (exp) and the operator's
// contact (sub: a mailto: or https: URL).
func (v *VAPID) Authorization(endpoint, subject string, now time.Time) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "", errors.New("the endpoint is not an absolute URL")
	}
	header := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))
	claims, err := json.Marshal(map[string]any{
		"aud": u.Scheme + "://" + u.Host,
		"exp": now.Add(TokenTTL).Unix(),
		"sub": subject,
	})
	if err != nil {
		return "", err
	}
	signed := header + "." + b64.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, v.key, digest[:])
	if err != nil {
		return "", err
	}
	// JWS ES256 is r and s, 32 bytes each, big-endian (not ASN.1).
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return "vapid t=" + signed + "." + b64.EncodeToString(sig) + ", k=" + v.public, nil
}

// CheckSubject refuses a subject push services would not accept: RFC 8292 asks for a mailto:
// or https: URL by which the operator can be reached.
func CheckSubject(s string) error {
	if !strings.HasPrefix(s, "mailto:") && !strings.HasPrefix(s, "https://") {
		return fmt.Errorf("subject: %q is not a mailto: or https: URL (push services contact the operator there)", s)
	}
	return nil
}

var b64 = base64.RawURLEncoding

// decodeB64 reads base64url with or without padding (browsers' getKey() results are often
// given padded, or in standard base64).
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	return b64.DecodeString(s)
}
