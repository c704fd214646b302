package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Subscription is a browser's PushSubscription as JSON gives it: the endpoint, the user agent's
// P-256 public key (p256dh) and its 16-byte authentication secret (auth), both base64url.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     Keys   `json:"keys"`
}

// Keys are a subscription's keys.
type Keys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// RecordSize is the one record a message is (RFC 8188 rs): push services take bodies of at
// most 4096 bytes, so a payload is at most MaxPayload bytes.
const RecordSize = 4096

// headerSize is the aes128gcm header: salt (16), rs (4), idlen (1), keyid (an uncompressed
// P-256 point, 65).
const headerSize = 16 + 4 + 1 + 65

// MaxPayload is the largest plaintext one message carries: the body is the header, the
// plaintext, a delimiter byte and the 16-byte tag, within 4096 bytes.
const MaxPayload = RecordSize - headerSize - 1 - 16

// ErrKeys is the error a subscription's unusable keys wrap; ErrTooLarge a payload too large.
var (
	ErrKeys     = errors.New("the subscription's keys are refused")
	ErrTooLarge = errors.New("the payload is too large for one push message")
)

// ParsedKeys are a subscription's keys, decoded and checked.
type ParsedKeys struct {
	public *ecdh.PublicKey
	auth   []byte
}

// ParseKeys decodes and checks a subscription's keys.
func ParseKeys(k Keys) (ParsedKeys, error) {
	raw, err := decodeB64(k.P256dh)
	if err != nil {
		return ParsedKeys{}, fmt.Errorf("%w: keys.p256dh is not base64url", ErrKeys)
	}
	pub, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		return ParsedKeys{}, fmt.Errorf("%w: keys.p256dh is not an uncompressed P-256 point", ErrKeys)
	}
	auth, err := decodeB64(k.Auth)
	if err != nil || len(auth) != 16 {
		return ParsedKeys{}, fmt.Errorf("%w: keys.auth is not 16 bytes in base64url", ErrKeys)
	}
	return ParsedKeys{public: pub, auth: auth}, nil
}

// Encrypt encrypts plaintext for the subscription whose keys are k (RFC 8291): an ECDH
// agreement between a fresh key pair and the browser's key, mixed with its auth secret, keys
// one aes128gcm record (RFC 8188) whose header carries the salt and the fresh public key.
func Encrypt(k ParsedKeys, plaintext []byte) ([]byte, error) {
	if len(plaintext) > MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes, at most %d fit", ErrTooLarge, len(plaintext), MaxPayload)
	}
	local, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return encrypt(k, plaintext, local, salt)
}

func encrypt(k ParsedKeys, plaintext []byte, local *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	shared, err := local.ECDH(k.public)
	if err != nil {
		return nil, err
	}
	asPublic := local.PublicKey().Bytes()
	cek, nonce, err := deriveKeys(shared, k.auth, k.public.Bytes(), asPublic, salt)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, headerSize+len(plaintext)+1+gcm.Overhead())
	out = append(out, salt...)
	out = binary.BigEndian.AppendUint32(out, RecordSize)
	out = append(out, byte(len(asPublic)))
	out = append(out, asPublic...)
	record := append(append(make([]byte, 0, len(plaintext)+1), plaintext...), 0x02) // 0x02: the last record, no padding
	return gcm.Seal(out, nonce, record, nil), nil
}

// deriveKeys is RFC 8291 section 3.4: the input keying material from the ECDH secret and the
// auth secret (info names both public keys, the browser's first), then RFC 8188's content
// encryption key and nonce from it and the salt.
func deriveKeys(shared, auth, uaPublic, asPublic, salt []byte) (cek, nonce []byte, err error) {
	info := append(append([]byte("WebPush: info\x00"), uaPublic...), asPublic...)
	ikm, err := hkdf.Key(sha256.New, shared, auth, string(info), 32)
	if err != nil {
		return nil, nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, nil, err
	}
	if cek, err = hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16); err != nil {
		return nil, nil, err
	}
	if nonce, err = hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12); err != nil {
		return nil, nil, err
	}
	return cek, nonce, nil
}
