package middleware

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
)

// AccessLog wraps the server's handler with the access log (log.access): one line per HTTP request
// and per WebSocket upgrade, refused or not, with the method, the path and its query without
// access_token, the status (101 for an upgrade), the time taken to answer and the ingest key's
// name. It never logs a header, a body, a token or a key. GoFrame's own access log sees neither
// the guard's refusals nor the upgrades, which bypass its router.
func AccessLog(next func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, note := ingestkey.WithNote(r.Context())
		rec := &StatusRecorder{ResponseWriter: w}
		next(rec, r.WithContext(ctx))
		line := fmt.Sprintf("access %s %s %d %s", r.Method, loggedURL(r.URL), rec.Status(), time.Since(start).Round(time.Microsecond))
		if note.Name != "" {
			line += fmt.Sprintf(" key=%q", note.Name)
		}
		glog.Info(r.Context(), line)
	}
}

// ackLinkPrefix is where ack links live (acklink.PathPrefix): the rest of their path is a token.
const ackLinkPrefix = "/ack/"

// maxLoggedQuery bounds the query a line shows: the API's own take a few short parameters.
const maxLoggedQuery = 256

// loggedURL is u's path and query, without any access_token parameter (a browser's JWT on the
// WebSocket URL) and cut at maxLoggedQuery; an ack link's token, a credential, is left out too.
func loggedURL(u *url.URL) string {
	path := u.EscapedPath()
	if strings.HasPrefix(path, ackLinkPrefix) {
		path = ackLinkPrefix + "..."
	}
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

// StatusRecorder remembers the status a handler answered with, and whether it took the
// connection over (a WebSocket upgrade).
type StatusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (s *StatusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *StatusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Hijack lets the WebSocket upgrader take the connection.
func (s *StatusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("the response writer cannot be hijacked")
	}
	s.hijacked = true
	return h.Hijack()
}

func (s *StatusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer below.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Status is the status answered: 101 for a connection taken over without one, 200 when nothing
// was written (net/http's answer).
func (s *StatusRecorder) Status() int {
	switch {
	case s.hijacked && s.status == 0:
		return http.StatusSwitchingProtocols
	case s.status == 0:
		return http.StatusOK
	}
	return s.status
}
