package auth

import (
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// JWKSLogEvery bounds how often a failing JWKS fetch is logged: an identity provider that is down
// for an hour fills the log with 60 lines, not one per token.
const JWKSLogEvery = time.Minute

// JWKSStatus is what the node knows of its JWKS URL's fetches, for /readyz and /metrics.
type JWKSStatus struct {
	Host        string    // the URL's host: never its path or query, which may hold a secret
	LastSuccess time.Time // the last fetch that succeeded; zero before the first
	Failures    uint64    // fetches that failed since the start
	LastError   string    // why the last fetch failed; "" when it succeeded
	FailingFor  time.Time // when the fetches started failing; zero when the last succeeded
}

// jwksHealth records the outcome of each fetch and logs failures at most once per JWKSLogEvery.
type jwksHealth struct {
	host     string
	failures atomic.Uint64

	mu         sync.Mutex
	status     JWKSStatus
	lastLogged time.Time
	log        func(message string) // nil: not logged
}

func newJWKSHealth(rawURL string) *jwksHealth {
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		host = u.Host
	}
	return &jwksHealth{host: host, status: JWKSStatus{Host: host}}
}

// failed records a failed fetch at now.
func (h *jwksHealth) failed(now time.Time, err error) {
	why := describeFetchError(err)
	h.failures.Add(1)
	h.mu.Lock()
	if h.status.LastError == "" {
		h.status.FailingFor = now
	}
	h.status.LastError = why
	logf := h.log
	due := h.lastLogged.IsZero() || now.Sub(h.lastLogged) >= JWKSLogEvery
	if due {
		h.lastLogged = now
	}
	since := h.status.FailingFor
	h.mu.Unlock()
	if logf != nil && due {
		logf(fmt.Sprintf("auth.jwt.jwksUrl: fetching the signing keys from %s failed (failing since %s): %s; "+
			"tokens whose kid is not among the keys already fetched are refused 401 \"signing keys unavailable\"",
			h.host, since.UTC().Format(time.RFC3339), why))
	}
}

// succeeded records a fetch that succeeded at now, saying so when it follows failures.
func (h *jwksHealth) succeeded(now time.Time) {
	h.mu.Lock()
	recovered := h.status.LastError != ""
	h.status.LastSuccess, h.status.LastError, h.status.FailingFor = now, "", time.Time{}
	h.lastLogged = time.Time{}
	logf := h.log
	h.mu.Unlock()
	if logf != nil && recovered {
		logf(fmt.Sprintf("auth.jwt.jwksUrl: fetching the signing keys from %s works again", h.host))
	}
}

// failing reports whether the last fetch failed.
func (h *jwksHealth) failing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.status.LastError != ""
}

func (h *jwksHealth) read() JWKSStatus {
	h.mu.Lock()
	s := h.status
	h.mu.Unlock()
	s.Failures = h.failures.Load()
	return s
}

// describeFetchError is err without the URL the HTTP client quotes: its path and query may hold a
// secret (a token of the provider's), and the host is said apart.
func describeFetchError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
