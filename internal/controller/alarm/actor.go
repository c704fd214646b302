package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
)

// actor is who changes an alarm, the alarms they may see, and whether they may change them. With a
// token (auth on) the user is its sub, whatever the request says, and changing needs ack; without
// one (auth off) the user is the one the request names, and every alarm is in scope.
type actor struct {
	user  string
	scope model.Scope
	// refused is why the actor may not change the alarms it sees (a token without "ack": true);
	// it is told only for an alarm in scope: outside it, an alarm looks absent.
	refused error
}

func actorOf(id auth.Identity, authed bool, named string) actor {
	if !authed {
		return actor{user: named}
	}
	a := actor{user: id.Sub, scope: model.ScopeOf(id.Alarms)}
	if !id.Ack {
		a.refused = gerror.NewCode(consts.CodeForbidden, `your token does not allow acknowledging or clearing alarms (its pulse claim needs "ack": true)`)
	}
	return a
}

// change is alarm.Service's Ack or Clear.
type change func(ctx context.Context, key model.AlarmKey, ch alarm.Change, scope model.Scope) (*model.Alarm, error)

// changeAlarm finds the alarm ref names in a's scope (not found outside it, ambiguous when a short
// ref names several), refuses an actor that may not change it, and applies do with comment.
func changeAlarm(ctx context.Context, svc *alarm.Service, a actor, ref model.AlarmKey, comment string, do change) (*model.Alarm, error) {
	key, err := svc.Resolve(ctx, ref, a.scope)
	if err != nil {
		return nil, err
	}
	if a.refused != nil {
		return nil, a.refused
	}
	return do(ctx, key, alarm.Change{User: a.user, Comment: comment}, a.scope)
}

// scopeOf is the alarms a request may see: those of its token's alarms patterns, or all of them
// without a token (auth off).
func scopeOf(id auth.Identity, authed bool) model.Scope {
	if !authed {
		return model.Scope{}
	}
	return model.ScopeOf(id.Alarms)
}
