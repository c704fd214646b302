package alarm

import (
	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/auth"
	"pulse/internal/consts"
	"pulse/internal/model"
)

// actor is who changes an alarm and which alarms they may change. With a token (auth on) the user
// is its sub, whatever the request says, and it must grant ack; without one (auth off) the user is
// the one the request names, and every alarm is in scope.
func actor(id auth.Identity, authed bool, named string) (user string, scope model.Scope, err error) {
	if !authed {
		return named, model.Scope{}, nil
	}
	if !id.Ack {
		return "", model.Scope{}, gerror.NewCode(consts.CodeForbidden, `your token does not allow acknowledging or clearing alarms (its pulse claim needs "ack": true)`)
	}
	return id.Sub, model.ScopeOf(id.Alarms), nil
}

// scopeOf is the alarms a request may see: those of its token's alarms patterns, or all of them
// without a token (auth off).
func scopeOf(id auth.Identity, authed bool) model.Scope {
	if !authed {
		return model.Scope{}
	}
	return model.ScopeOf(id.Alarms)
}
