package ws

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// Access checks the tokens of WebSocket clients when auth is on: at the door (Authorize) and when
// a client refreshes its token on an open connection (Refresh).
type Access struct {
	tokens *auth.Verifier
}

// NewAccess returns the access checks of tokens.
func NewAccess(tokens *auth.Verifier) *Access { return &Access{tokens: tokens} }

// Authorize implements Authorizer: the request's token must verify, name user as its sub on
// /ws/rowdata, and grant the subscription (rowdata patterns) or some alarms (alarm patterns).
func (a *Access) Authorize(r *http.Request, endpoint string, key hub.Key, user string) (*hub.Grant, error) {
	token, ok := auth.FromRequest(r)
	if !ok {
		return nil, gerror.NewCode(consts.CodeNotAuthorized, "no token: send Authorization: Bearer <jwt>, or ?access_token=<jwt> from a browser")
	}
	id, err := a.tokens.Verify(r.Context(), token)
	if err != nil {
		return nil, notAuthorized(err)
	}
	if err := permits(id, endpoint, key, user); err != nil {
		return nil, err
	}
	return a.grant(id, endpoint), nil
}

// permits says whether id may open endpoint for key as user.
func permits(id auth.Identity, endpoint string, key hub.Key, user string) error {
	if endpoint == endpointAlarm {
		if len(id.Alarms) == 0 {
			return gerror.NewCode(consts.CodeForbidden, "your token grants no alarms (its pulse claim has no alarms patterns)")
		}
		if user != "" && user != id.Sub {
			return gerror.NewCodef(consts.CodeForbidden, "user %q is not your token's sub: leave the user parameter out, or give your own", user)
		}
		return nil
	}
	if user != id.Sub {
		return gerror.NewCodef(consts.CodeForbidden, "userName %q is not your token's sub: use your own user name in the path", user)
	}
	if !model.AnyCovers(id.RowData, key.Type, key.ID) {
		return gerror.NewCodef(consts.CodeForbidden, "your token's rowdata patterns do not cover %s/%s", key.Type, key.ID)
	}
	return nil
}

// grant is what id allows a connection of endpoint: until exp plus the leeway, the alarms of its
// alarm patterns, and on every endpoint the notices of the businesses the token lets its user
// see (its rowdata and alarms patterns together).
func (a *Access) grant(id auth.Identity, endpoint string) *hub.Grant {
	g := &hub.Grant{Expires: id.Expires.Add(a.tokens.Leeway()), Identity: id,
		Notices: model.ScopeOf(slices.Concat(id.RowData, id.Alarms))}
	if endpoint == endpointAlarm {
		g.Scope = model.ScopeOf(id.Alarms)
	}
	return g
}

// refreshTimeout bounds the verification of a refreshed token (a JWKS fetch it may need).
const refreshTimeout = 10 * time.Second

// authRequest is {"type":"auth","token":"<jwt>"}.
type authRequest struct {
	Type  string `json:"type"`
	Token string `json:"token"`
}

// Refresh returns the handler of {"type":"auth","token":...} on endpoint's connections: a token
// of the same sub that still permits the connection replaces its grant, and is answered
// {"type":"auth","exp":<unix s>}; any other is answered with an error and the old grant stays.
func (a *Access) Refresh(endpoint string) hub.Handler {
	return func(c *hub.Conn, in hub.Inbound) {
		var req authRequest
		if err := strictjson.Unmarshal(in.Raw, &req); err != nil || req.Token == "" {
			c.Send(hub.ErrorMessage(hub.CodeInvalidMessage, `auth: send {"type":"auth","token":"<jwt>"}`))
			return
		}
		// Verifying may fetch keys (JWKS): not on the reader, which must not block.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
			defer cancel()
			g, err := a.refreshed(ctx, c, endpoint, req.Token)
			if err != nil {
				c.Send(hub.ErrorMessage(gerror.Code(err).Code(), "auth: "+err.Error()))
				return
			}
			c.Refresh(*g)
			id := g.Identity.(auth.Identity)
			c.Send(hub.NewMessage([]byte(`{"type":"auth","exp":` + strconv.FormatInt(id.Expires.Unix(), 10) + `}`)))
		}()
	}
}

func (a *Access) refreshed(ctx context.Context, c *hub.Conn, endpoint, token string) (*hub.Grant, error) {
	id, err := a.tokens.Verify(ctx, token)
	if err != nil {
		return nil, notAuthorized(err)
	}
	var sub string
	if g := c.Grant(); g != nil {
		old, _ := g.Identity.(auth.Identity)
		sub = old.Sub
	}
	if id.Sub != sub {
		return nil, gerror.NewCode(consts.CodeForbidden, "the new token's sub is not the connection's: open a new connection for another user")
	}
	if err := permits(id, endpoint, c.Key(), c.User()); err != nil {
		return nil, err
	}
	return a.grant(id, endpoint), nil
}

// notAuthorized is a refused token (every error of Verify) as a 401, code 61; the refusal's words
// never quote the token.
func notAuthorized(err error) error {
	return gerror.NewCode(consts.CodeNotAuthorized, err.Error())
}

// grantedUser is the user a grant's token names (its sub), "" without a token.
func grantedUser(g *hub.Grant) string {
	id, _ := g.Identity.(auth.Identity)
	return id.Sub
}
