package pushsvc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

var b64 = base64.RawURLEncoding

// Browser is one subscription's secrets, as a browser keeps them.
type Browser struct {
	ID   string
	key  *ecdh.PrivateKey
	auth []byte
}

// WebPushMessage is one push the service received.
type WebPushMessage struct {
	Browser   string      // the subscription's id ("" when unknown)
	Header    http.Header // as received
	Plaintext []byte      // decrypted; nil when it could not be
	Err       string      // why the request was refused; "" when it was taken
}

// WebPush is a Web Push service for tests, on a real socket: it enforces what RFC 8030, 8291
// and 8292 ask of an application server. It verifies each request's VAPID JWT (the ES256
// signature with the k= key, aud = its own origin, exp within 24 hours, sub a mailto: or https:
// URL), decrypts the aes128gcm body with the subscription's private key (Browser), and records
// what arrived. Anything wrong is answered 400 and recorded with the reason, so a test sees it.
type WebPush struct {
	URL string // http://127.0.0.1:<port>

	mu       sync.Mutex
	browsers map[string]*Browser
	answers  map[string]int // status to answer for a browser instead of 201
	messages []WebPushMessage
	server   *http.Server
}

// NewWebPush starts a Web Push service on 127.0.0.1, stopped when the test ends.
func NewWebPush(t testing.TB) *WebPush {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &WebPush{URL: "http://" + ln.Addr().String(), browsers: map[string]*Browser{}, answers: map[string]int{}}
	s.server = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(ln) }()
	t.Cleanup(func() { _ = s.server.Close() })
	return s
}

// NewBrowser makes a subscription: its endpoint is on this service.
func (s *WebPush) NewBrowser() *Browser {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	b := &Browser{ID: b64.EncodeToString(id), key: k, auth: auth}
	s.mu.Lock()
	s.browsers[b.ID] = b
	s.mu.Unlock()
	return b
}

// Endpoint is b's endpoint on s.
func (s *WebPush) Endpoint(b *Browser) string { return s.URL + "/push/" + b.ID }

// Subscription is b's PushSubscription as JSON gives it (toJSON()).
func (s *WebPush) Subscription(b *Browser) map[string]any {
	return map[string]any{"endpoint": s.Endpoint(b), "keys": map[string]string{
		"p256dh": b64.EncodeToString(b.key.PublicKey().Bytes()), "auth": b64.EncodeToString(b.auth)}}
}

// Answer makes the service answer status to b's requests (404 or 410: the subscription is gone).
func (s *WebPush) Answer(b *Browser, status int) {
	s.mu.Lock()
	s.answers[b.ID] = status
	s.mu.Unlock()
}

// Messages are the requests received so far, oldest first.
func (s *WebPush) Messages() []WebPushMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebPushMessage(nil), s.messages...)
}

func (s *WebPush) serve(w http.ResponseWriter, r *http.Request) {
	id, _ := strings.CutPrefix(r.URL.Path, "/push/")
	m := WebPushMessage{Browser: id, Header: r.Header.Clone()}
	status, err := s.take(r, id, &m)
	if err != nil {
		m.Err = err.Error()
		status = http.StatusBadRequest
	}
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	if err != nil {
		http.Error(w, m.Err, status)
		return
	}
	w.WriteHeader(status)
}

func (s *WebPush) take(r *http.Request, id string, m *WebPushMessage) (int, error) {
	s.mu.Lock()
	b, answer := s.browsers[id], s.answers[id]
	s.mu.Unlock()
	if answer != 0 {
		return answer, nil
	}
	switch {
	case r.Method != http.MethodPost:
		return 0, fmt.Errorf("method %s: a push is a POST", r.Method)
	case b == nil:
		return http.StatusNotFound, nil
	case r.Header.Get("TTL") == "":
		return 0, errors.New("no TTL header (RFC 8030 5.2 requires it)")
	case r.Header.Get("Content-Encoding") != "aes128gcm":
		return 0, fmt.Errorf("Content-Encoding %q: RFC 8291 uses aes128gcm", r.Header.Get("Content-Encoding"))
	}
	if u := r.Header.Get("Urgency"); u != "" && u != "very-low" && u != "low" && u != "normal" && u != "high" {
		return 0, fmt.Errorf("Urgency %q is not an RFC 8030 urgency", u)
	}
	if t := r.Header.Get("Topic"); len(t) > 32 || strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return 0, fmt.Errorf("Topic %q is not at most 32 base64url characters", t)
	}
	if err := s.checkVAPID(r.Header.Get("Authorization")); err != nil {
		return 0, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8192))
	if err != nil {
		return 0, err
	}
	if len(body) > 4096 {
		return 0, fmt.Errorf("the body is %d bytes: push services take at most 4096", len(body))
	}
	if m.Plaintext, err = b.Decrypt(body); err != nil {
		return 0, err
	}
	return http.StatusCreated, nil
}

// checkVAPID verifies an Authorization header "vapid t=<jwt>, k=<key>" (RFC 8292).
func (s *WebPush) checkVAPID(h string) error {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return fmt.Errorf("Authorization %q is not a vapid one", h)
	}
	var token, key string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			token = v
		case "k":
			key = v
		}
	}
	rawKey, err := b64.DecodeString(key)
	if err != nil {
		return errors.New("k= is not base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), rawKey)
	if err != nil {
		return errors.New("k= is not an uncompressed P-256 point")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("t= is not a JWT")
	}
	var header struct{ Alg, Typ string }
	if err := decodeJSON(parts[0], &header); err != nil || header.Alg != "ES256" {
		return fmt.Errorf("the JWT's header %q is not ES256", parts[0])
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("the JWT's signature is not 64 bytes (r and s) in base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("the JWT's signature does not verify with k=")
	}
	var claims struct {
		Aud string
		Exp int64
		Sub string
	}
	if err := decodeJSON(parts[1], &claims); err != nil {
		return fmt.Errorf("the JWT's claims: %v", err)
	}
	now := time.Now().Unix()
	switch {
	case claims.Aud != s.URL:
		return fmt.Errorf("the JWT's aud %q is not this service's origin %q", claims.Aud, s.URL)
	case claims.Exp <= now || claims.Exp > now+24*3600:
		return fmt.Errorf("the JWT's exp %d is not within 24 hours from now (%d)", claims.Exp, now)
	case !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https://"):
		return fmt.Errorf("the JWT's sub %q is not a mailto: or https: URL", claims.Sub)
	}
	return nil
}

func decodeJSON(part string, v any) error {
	raw, err := b64.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Decrypt reads an aes128gcm body (RFC 8188) encrypted for b (RFC 8291).
func (b *Browser) Decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("the body is shorter than an aes128gcm header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen {
		return nil, fmt.Errorf("the header's keyid is %d bytes: RFC 8291 puts the sender's 65-byte key there", idlen)
	}
	senderKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, errors.New("the header's keyid is not a P-256 point")
	}
	record := body[21+idlen:]
	if rs < 18 || uint32(len(record)) > rs {
		return nil, fmt.Errorf("the record is %d bytes, rs %d: one record is expected", len(record), rs)
	}
	shared, err := b.key.ECDH(senderKey)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(senderKey.Bytes())
	prkKey, _ := hkdf.Extract(sha256.New, shared, b.auth)
	ikm, _ := hkdf.Expand(sha256.New, prkKey, info, 32)
	prk, _ := hkdf.Extract(sha256.New, ikm, salt)
	cek, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, errors.New("the record does not decrypt with the subscription's keys")
	}
	// Padding: the content, a delimiter (2 for the last record), then zeros.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		return nil, errors.New("the record has no last-record delimiter (0x02)")
	}
	return plain[:i], nil
}
