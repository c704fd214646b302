package middleware

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/consts"
)

// Credentials authenticate the API's requests when auth is on (GuardOptions.Authenticate): an
// ingest key on the ingest routes, a user's token on the alarm routes. What they find goes into
// the request's context (ingestkey.FromContext, auth.FromContext); no answer and no log line
// contains the token or the key.
type Credentials struct {
	Tokens *auth.Verifier
	Keys   *ingestkey.Keys
	Users  *auth.UserRate   // auth.userRate: requests of each sub; nil = unlimited
	Now    func() time.Time // of the rates; time.Now when nil
}

// Authenticate implements GuardOptions.Authenticate.
func (c *Credentials) Authenticate(r *http.Request, credential string) (*http.Request, error) {
	switch credential {
	case CredentialIngestKey:
		return c.ingestKey(r)
	case CredentialToken:
		return c.token(r)
	case CredentialKeyOrToken:
		if _, ok := ingestkey.FromRequest(r); !ok {
			return nil, gerror.NewCode(consts.CodeNotAuthorized, "no credential: send an ingest key (Authorization: Bearer <key> or X-API-Key: <key>) or a token (Authorization: Bearer <jwt>)")
		}
		if presentsToken(r) {
			return c.token(r)
		}
		return c.ingestKey(r)
	}
	return nil, gerror.Newf("route credential %q is not one Pulse knows", credential) // a 500: a bug
}

func (c *Credentials) ingestKey(r *http.Request) (*http.Request, error) {
	presented, ok := ingestkey.FromRequest(r)
	if !ok {
		return nil, gerror.NewCode(consts.CodeNotAuthorized, "no ingest key: send it as Authorization: Bearer <key> or X-API-Key: <key>")
	}
	k, err := c.Keys.Authenticate(presented)
	if err != nil {
		return nil, gerror.NewCode(consts.CodeNotAuthorized, "unknown ingest key")
	}
	ingestkey.Noted(r.Context(), k)
	if ok, after := k.Allow(c.now()); !ok {
		err := gerror.NewCodef(consts.CodeTooManyRequests, "%v is over its rate (auth.ingestKeys rate, in items per second): retry after %s s", k, ingestkey.RetryAfterSeconds(after))
		return nil, WithHeader(err, "Retry-After", ingestkey.RetryAfterSeconds(after))
	}
	return r.WithContext(ingestkey.NewContext(r.Context(), k)), nil
}

func (c *Credentials) token(r *http.Request) (*http.Request, error) {
	token, ok := auth.FromHeader(r)
	if !ok {
		return nil, gerror.NewCode(consts.CodeNotAuthorized, "no token: send it as Authorization: Bearer <jwt>")
	}
	id, err := c.Tokens.Verify(r.Context(), token)
	if err != nil {
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			return nil, err
		}
		return nil, gerror.NewCode(consts.CodeNotAuthorized, err.Error())
	}
	if ok, after := c.Users.Allow(id.Sub, c.now()); !ok {
		// The sub is the caller's own name; the token stays out of the answer and the log.
		err := gerror.NewCodef(consts.CodeTooManyRequests, "user %q is over its rate (auth.userRate): retry after %s s", id.Sub, ingestkey.RetryAfterSeconds(after))
		return nil, WithHeader(err, "Retry-After", ingestkey.RetryAfterSeconds(after))
	}
	return r.WithContext(auth.NewContext(r.Context(), id)), nil
}

// presentsToken says whether r's credential is a JWT: a bearer credential of three dot-separated
// parts, and no X-API-Key. Ingest keys are opaque text without dots (pulse key makes them so).
func presentsToken(r *http.Request) bool {
	if r.Header.Get("X-API-Key") != "" {
		return false
	}
	token, ok := auth.FromHeader(r)
	return ok && strings.Count(token, ".") == 2
}

func (c *Credentials) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
