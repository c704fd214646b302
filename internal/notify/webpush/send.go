package webpush

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Sender posts encrypted messages to push services with one VAPID key pair.
type Sender struct {
	vapid   *VAPID
	subject string
	policy  Policy
	client  *http.Client
}

// NewSender builds a Sender. Its HTTP client uses no proxy (a proxy would dial for it, past the
// address check), checks every address it dials (unless policy.AllowHTTP) and follows no
// redirect (a push service never redirects; a redirect would lead the request elsewhere).
func NewSender(v *VAPID, subject string, policy Policy) (*Sender, error) {
	if err := CheckSubject(subject); err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !policy.AllowHTTP {
		dialer.Control = dialControl
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = dialer.DialContext
	t.MaxIdleConnsPerHost = 32
	return &Sender{vapid: v, subject: subject, policy: policy, client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}, nil
}

// Message is one push: its payload (plaintext, at most MaxPayload bytes) and RFC 8030 headers.
type Message struct {
	Payload []byte
	TTL     time.Duration // how long the push service keeps it for an offline browser
	Urgency string        // "very-low", "low", "normal" or "high"; "" = not sent (normal)
	Topic   string        // a newer message of the same topic replaces an undelivered one
}

// Answer is what the push service said: its status and Retry-After header (the body is read
// and dropped: services put little in it).
type Answer struct {
	Status     int
	RetryAfter string
}

// Send encrypts m for sub and posts it to sub's endpoint. An error that is ErrEndpoint, ErrKeys
// or ErrTooLarge (errors.Is) is a refusal that retrying cannot help, the connection's address
// check included; any other is the request failing on its way (nothing answered).
func (s *Sender) Send(ctx context.Context, sub Subscription, m Message) (Answer, error) {
	if _, err := s.policy.checkURL(sub.Endpoint); err != nil {
		return Answer{}, err
	}
	keys, err := ParseKeys(sub.Keys)
	if err != nil {
		return Answer{}, err
	}
	body, err := Encrypt(keys, m.Payload)
	if err != nil {
		return Answer{}, err
	}
	auth, err := s.vapid.Authorization(sub.Endpoint, s.subject, time.Now())
	if err != nil {
		return Answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	h := req.Header
	h.Set("Content-Encoding", "aes128gcm")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("TTL", strconv.FormatInt(int64(m.TTL/time.Second), 10))
	h.Set("Authorization", auth)
	if m.Urgency != "" {
		h.Set("Urgency", m.Urgency)
	}
	if m.Topic != "" {
		h.Set("Topic", m.Topic)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return Answer{}, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return Answer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}, nil
}
