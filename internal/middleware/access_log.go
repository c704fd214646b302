package middleware

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gogf/gf/v2/os/glog"

	"pulse/internal/auth/ingestkey"
)

// AccessLog wraps the server's handler with the access log (log.access): one line per HTTP request
// and per WebSocket upgrade, refused or not, with the method, the path and its query without
// access_token, the status (101 for an upgrade), the time taken to answer and the ingest key's
// name. It never logs a header, a body, a token or a key. GoFrame's own access log sees neither
// the guard's refusals nor the upgrades, which bypass its router.
func AccessLog(next func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := &accessEntry{}
		rec := &statusRecorder{ResponseWriter: w}
		next(rec, r.WithContext(context.WithValue(r.Context(), accessEntryKey{}, e)))
		status := rec.status
		switch {
		case rec.hijacked && status == 0:
			status = http.StatusSwitchingProtocols
		case status == 0:
			status = http.StatusOK // nothing written: net/http answers 200
		}
		line := fmt.Sprintf("access %s %s %d %s", r.Method, loggedURL(r.URL), status, time.Since(start).Round(time.Microsecond))
		if e.key != "" {
			line += fmt.Sprintf(" key=%q", e.key)
		}
		glog.Info(r.Context(), line)
	}
}

// NoteIngestKey wraps a guard's Authenticate so that the access log names the ingest key a request
// authenticated with; nil stays nil (auth off).
func NoteIngestKey(authenticate func(*http.Request, string) (*http.Request, error)) func(*http.Request, string) (*http.Request, error) {
	if authenticate == nil {
		return nil
	}
	return func(r *http.Request, credential string) (*http.Request, error) {
		r2, err := authenticate(r, credential)
		if err == nil {
			if k, ok := ingestkey.FromContext(r2.Context()); ok {
				if e, ok := r.Context().Value(accessEntryKey{}).(*accessEntry); ok {
					e.key = k.Name()
				}
			}
		}
		return r2, err
	}
}

// accessEntry is what the handlers below the access log tell it.
type accessEntry struct {
	key string // the ingest key's configured name
}

type accessEntryKey struct{}

// maxLoggedQuery bounds the query a line shows: the API's own take a few short parameters.
const maxLoggedQuery = 256

// loggedURL is u's path and query, without any access_token parameter (a browser's JWT on the
// WebSocket URL) and cut at maxLoggedQuery.
func loggedURL(u *url.URL) string {
	path := u.EscapedPath()
	if u.RawQuery == "" {
		return path
	}
	var kept []string
	for _, part := range strings.Split(u.RawQuery, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err != nil || strings.EqualFold(n, "access_token") {
			continue // a name that does not decode may be one too
		}
		kept = append(kept, part)
	}
	query := strings.Join(kept, "&")
	if len(query) > maxLoggedQuery {
		query = query[:maxLoggedQuery] + "..."
	}
	if query == "" {
		return path
	}
	return path + "?" + query
}

// statusRecorder remembers the status a handler answered with, and whether it took the
// connection over (a WebSocket upgrade).
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Hijack lets the WebSocket upgrader take the connection.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("the response writer cannot be hijacked")
	}
	s.hijacked = true
	return h.Hijack()
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer below.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
