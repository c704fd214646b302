package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/gogf/gf/v2/errors/gcode"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

// maxQueryValue is the longest query parameter value the API takes, in bytes. The API's query
// values are short words and numbers; the bound also keeps GoFrame's own query parser, which is
// not linear, on small input.
const maxQueryValue = 128

// GuardOptions configure a Guard.
type GuardOptions struct {
	Prefix         string   // the API's path prefix, e.g. "/api/v1"
	Requests       []any    // the API's request types (&v1.AckReq{}, ...): their g.Meta are the routes
	MaxBodySize    int64    // larger bodies are answered 413
	AllowedOrigins []string // ws.allowedOrigins: origins whose pages may call the API ("*" = any)
	// Authenticate, when set (auth on), checks the credential a route names before its input is
	// read, and returns the request with what it found in the context.
	Authenticate func(r *http.Request, credential string) (*http.Request, error)
}

// Guard is what every HTTP request meets before GoFrame's router (WebSocket handshakes go to the
// door instead). It lets GoFrame see only what the API documents, in a shape GoFrame parses in
// linear time:
//
//   - on an API path: only the route's documented method (OPTIONS answers a CORS preflight and
//     never runs a handler); POST bodies only as application/json, read here under the size
//     limit and handed to handlers through the context (Body), while GoFrame sees an empty
//     request, so that its generic body and form parsing never runs; no query on a POST; on a GET
//     only the route's query parameters, each once and short;
//   - with auth on, the credential the route's g.Meta names (an ingest key or a user's token),
//     checked before any input is read;
//   - elsewhere (health, the console page): GET without query or body.
//
// A refusal is answered here as {code,message} with the status of its code. A panic anywhere
// below is answered 500 {code,message} without internals, and logged with its stack.
type Guard struct {
	next    http.Handler
	prefix  string
	routes  []route
	maxBody int64
	origins Origins
	authn   func(r *http.Request, credential string) (*http.Request, error)
}

// NewGuard puts a Guard in front of next.
func NewGuard(next http.Handler, opts GuardOptions) *Guard {
	g := &Guard{next: next, prefix: strings.TrimSuffix(opts.Prefix, "/"), maxBody: opts.MaxBodySize,
		origins: NewOrigins(opts.AllowedOrigins), authn: opts.Authenticate}
	for _, req := range opts.Requests {
		g.routes = append(g.routes, newRoute(g.prefix, req))
	}
	return g
}

func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			glog.Errorf(r.Context(), "%s %s: panic: %v\n%s", r.Method, r.URL.Path, p, debug.Stack())
			WriteHTTPError(w, gerror.NewCode(consts.CodeInternal, "internal error"))
		}
	}()
	var err error
	if r.URL.Path == g.prefix || strings.HasPrefix(r.URL.Path, g.prefix+"/") {
		r, err = g.api(w, r)
	} else {
		err = plain(r)
	}
	if err != nil {
		WriteHTTPError(w, err)
		return
	}
	if r != nil {
		g.next.ServeHTTP(w, r)
	}
}

// plain admits a request outside the API: GoFrame serves only GETs there, and none takes input.
func plain(r *http.Request) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r, http.MethodGet)
	}
	r.URL.RawQuery = "" // not input; the page's script reads its own location
	r.Body, r.ContentLength = http.NoBody, 0
	return nil
}

// api admits a request to an API path, or refuses it. A nil request with a nil error means the
// answer was written (a CORS preflight).
func (g *Guard) api(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	path := split(r.URL.Path)
	var methods []string
	var match *route
	for i := range g.routes {
		if g.routes[i].matches(path) {
			methods = append(methods, g.routes[i].method)
			if g.routes[i].method == r.Method {
				match = &g.routes[i]
			}
		}
	}
	switch {
	case len(methods) == 0:
		return nil, gerror.NewCodef(consts.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	case r.Method == http.MethodOptions:
		return nil, g.preflight(w, r, methods)
	case match == nil:
		return nil, methodNotAllowed(r, methods...)
	}
	g.origins.allowCORS(w, r)
	if g.authn != nil && match.credential != "" {
		var err error
		if r, err = g.authn(r, match.credential); err != nil {
			return nil, err
		}
	}
	if r.Method == http.MethodPost {
		return g.post(r)
	}
	return r, get(r, match)
}

// preflight answers an OPTIONS request: 204 with the CORS headers when it is a preflight from an
// origin ws.allowedOrigins lists, for a method the path has; never a handler.
func (g *Guard) preflight(w http.ResponseWriter, r *http.Request, methods []string) error {
	origin, want := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	switch {
	case origin == "" || want == "":
		return methodNotAllowed(r, methods...)
	case !g.origins.Listed(origin):
		return gerror.NewCodef(consts.CodeOriginForbidden, "origin %q may not call the API (ws.allowedOrigins)", origin)
	case !contains(methods, want):
		return methodNotAllowed(r, methods...)
	}
	h := w.Header()
	g.origins.allowCORS(w, r)
	h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
	h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, X-API-Key, Idempotency-Key")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// post checks a POST's query and content type, then reads its body under the limit into the
// context; GoFrame gets the request without a body.
func (g *Guard) post(r *http.Request) (*http.Request, error) {
	if r.URL.RawQuery != "" {
		return nil, gerror.NewCode(consts.CodeInvalidInput, "query parameters are not input to a POST: send the fields in the JSON body")
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	if r.ContentLength > g.maxBody {
		return nil, tooLarge(g.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, g.maxBody+1))
	switch {
	case err != nil:
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "reading the request body: %v", err)
	case int64(len(body)) > g.maxBody:
		return nil, tooLarge(g.maxBody)
	}
	r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
	r.Body, r.ContentLength = http.NoBody, 0
	r.Header.Del("Content-Type")
	return r, nil
}

// get checks a GET's query: only the route's parameters, each given once, decodable and short.
// GoFrame then parses the same query, re-encoded.
func get(r *http.Request, rt *route) error {
	if r.ContentLength != 0 {
		return gerror.NewCode(consts.CodeInvalidInput, "a GET takes no body")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return gerror.NewCodef(consts.CodeInvalidInput, "query: %v", queryError(err))
	}
	for name, values := range q {
		switch {
		case !rt.takes(name):
			return gerror.NewCodef(consts.CodeInvalidInput, "query: unknown parameter %.64q (this endpoint takes %s)", name, strings.Join(rt.query, ", "))
		case len(values) != 1:
			return gerror.NewCodef(consts.CodeInvalidInput, "query: %s given %d times", name, len(values))
		case len(values[0]) > maxQueryValue:
			return gerror.NewCodef(consts.CodeInvalidInput, "query: %s is longer than %d bytes", name, maxQueryValue)
		}
	}
	r.URL.RawQuery = q.Encode()
	return nil
}

// queryError drops the parser's echo of the input, which may be long.
func queryError(err error) error {
	var esc url.EscapeError
	if errors.As(err, &esc) {
		return fmt.Errorf("invalid URL escape %.16q", string(esc))
	}
	return err
}

// checkJSONContentType accepts application/json, with at most a UTF-8 charset.
func checkJSONContentType(header string) error {
	media, params, err := mime.ParseMediaType(header)
	if err == nil && media == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return gerror.NewCodef(consts.CodeUnsupportedMediaType, "Content-Type must be application/json (UTF-8), got %.64q", header)
}

func tooLarge(limit int64) error {
	return gerror.NewCodef(consts.CodeBodyTooLarge, "request body over %d bytes (ingest.maxBodySize)", limit)
}

func methodNotAllowed(r *http.Request, allowed ...string) error {
	return WithHeader(gerror.NewCodef(consts.CodeMethodNotAllowed, "%s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(allowed, ", ")),
		"Allow", strings.Join(allowed, ", "))
}

// WithHeader gives err a response header that WriteHTTPError sets (Allow on a 405, Retry-After on
// a 429).
func WithHeader(err error, key, value string) error { return headerError{err, key, value} }

// A HeaderError gives its answer a response header: WriteHTTPError and Response set it and answer
// the error it wraps. Layers below the HTTP one (services) make their own without importing this
// package.
type HeaderError interface {
	error
	Unwrap() error
	ResponseHeader() (key, value string)
}

type headerError struct {
	error
	key, value string
}

func (e headerError) Unwrap() error                       { return e.error }
func (e headerError) ResponseHeader() (key, value string) { return e.key, e.value }

// withoutHeader sets the header of a HeaderError in err's chain and returns the error it wraps.
func withoutHeader(h http.Header, err error) error {
	var he HeaderError
	if errors.As(err, &he) {
		key, value := he.ResponseHeader()
		h.Set(key, value)
		return he.Unwrap()
	}
	return err
}

// WriteHTTPError answers err as {code,message} with the status of its code; an error without a
// Pulse code is an internal one and its text stays in the log. A 401 says which scheme it wants.
func WriteHTTPError(w http.ResponseWriter, err error) {
	err = withoutHeader(w.Header(), err)
	code, message := answer(err)
	if code.Code() == consts.CodeNotAuthorized.Code() {
		w.Header().Set("WWW-Authenticate", "Bearer") // RFC 6750: the scheme a 401 asks for
	}
	body, _ := json.Marshal(Envelope{Code: code.Code(), Message: message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(consts.HTTPStatus(code))
	_, _ = w.Write(body)
}

// answer is the code and message a client gets for err: its own for a client error, a bare
// "internal error" for anything else. A coded error that wraps a cause ("alarm store
// unavailable" wrapping the driver's error) shows its own text only: causes may hold SQL and
// socket addresses, which only the log gets (callers log internal errors; causes are logged
// here, at most once per causeLogEvery).
func answer(err error) (gcode.Code, string) {
	code := gerror.Code(err)
	if code == gcode.CodeNil || consts.HTTPStatus(code) == http.StatusInternalServerError {
		return consts.CodeInternal, "internal error"
	}
	if text := gerror.Current(err).Error(); text != "" && gerror.Unwrap(err) != nil {
		LogCause(consts.HTTPStatus(code), text, gerror.Unwrap(err))
		return code, text
	}
	return code, err.Error()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
