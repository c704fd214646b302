package client_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// attempt is one HTTP request the client made, as a test sees it.
type attempt struct {
	start, end time.Time
	status     int // 0: no answer
	retryAfter string
	idemKey    string
	body       string
}

// recorder is an http.RoundTripper that records the client's attempts.
type recorder struct {
	mu       sync.Mutex
	attempts []attempt
}

func (r *recorder) client() *http.Client { return &http.Client{Transport: r} }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	a := attempt{start: time.Now(), idemKey: req.Header.Get("Idempotency-Key")}
	resp, err := http.DefaultTransport.RoundTrip(req)
	a.end = time.Now()
	if err == nil {
		a.status, a.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	}
	r.mu.Lock()
	r.attempts = append(r.attempts, a)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.attempts)
}

func (r *recorder) all() []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]attempt(nil), r.attempts...)
}

// front is an HTTP server of the test's own in front of a real one: answer decides, by the
// number of the request (from 1), whether it answers itself (true) or passes the request on.
type front struct {
	recorder
	srv    *httptest.Server
	n      int
	answer func(n int, w http.ResponseWriter) bool
}

func newFront(t *testing.T, s *server, answer func(n int, w http.ResponseWriter) bool) *front {
	f := &front{answer: answer}
	upstream := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		a := attempt{start: time.Now(), idemKey: req.Header.Get("Idempotency-Key"), body: string(body)}
		f.mu.Lock()
		f.n++
		n := f.n
		f.mu.Unlock()
		defer func() {
			a.end = time.Now()
			f.mu.Lock()
			f.attempts = append(f.attempts, a)
			f.mu.Unlock()
		}()
		if f.answer(n, w) {
			return
		}
		out, _ := http.NewRequest(req.Method, s.URL()+req.URL.RequestURI(), strings.NewReader(string(body)))
		out.Header = req.Header.Clone()
		resp, err := upstream.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *front) url() string { return f.srv.URL }

// reset counts the requests from 1 again and forgets them.
func (f *front) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.attempts = 0, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func parseSeconds(t *testing.T, v string) time.Duration {
	t.Helper()
	s, err := strconv.Atoi(v)
	if err != nil || s < 1 {
		t.Fatalf("Retry-After %q, want whole seconds", v)
	}
	return time.Duration(s) * time.Second
}
