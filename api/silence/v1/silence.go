// Package v1 defines the silence API: hold back the notifications of the alarms that matchers
// select, for a while (or, shelving one alarm, until it is cleared).
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/silence"
)

// CreateReq makes a silence; the body is CreateBody.
type CreateReq struct {
	g.Meta `path:"/silences" method:"post" credential:"token" mime:"application/json" errors:"400,403,409,503" tags:"Silences" summary:"Silence alarms" dc:"While the silence is active, the alarms its matchers select notify nobody; consoles still receive them, marked by a silenced event (when the silence starts, or the alarm is raised under it) and unmarked by an unsilenced event when it ends (an alarm still active then is notified again). Matchers of different fields all apply, values of one field any. With auth on: the token needs \"ack\": true (else 403), and every business pattern must be within its alarms patterns (a silence without businesses needs *), else 403; the creator is its sub. Shelving one alarm: untilCleared with one alarmId and one business type/id: the silence ends when the alarm is cleared (409 if it is not active)."`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (CreateReq) Bodies() []any { return []any{CreateBody{}} }

// CreateBody is a new silence.
type CreateBody struct {
	Matchers     silence.Matchers `json:"matchers" dc:"at least one of businesses, levels, alarmIds, text"`
	StartsAt     int64            `json:"startsAt" dc:"unix ms; 0 or absent: now" eg:"0"`
	EndsAt       int64            `json:"endsAt" dc:"unix ms, after startsAt and now; absent with untilCleared" eg:"1732253600000"`
	UntilCleared bool             `json:"untilCleared" dc:"shelve one alarm until it is cleared (one alarmId and one business type/id; no endsAt)"`
	Comment      string           `json:"comment" dc:"why: up to 1 KiB of UTF-8, without control characters but newline and tab" eg:"substation maintenance"`
	User         string           `json:"user" dc:"auth off: who silences (default: anonymous); auth on: ignored (the token's sub)" eg:"alice"`
}

// CreateRes is the silence made.
type CreateRes struct {
	*silence.Silence
}

// ListReq lists the silences not ended.
type ListReq struct {
	g.Meta `path:"/silences" method:"get" credential:"token" errors:"403,503" tags:"Silences" summary:"List silences" dc:"The silences not ended (pending and active), oldest first; with auth on, those whose businesses are all within the token's alarms patterns."`
}

// ListRes holds the silences.
type ListRes struct {
	Items []*silence.Silence `json:"items" dc:"the silences, oldest first"`
}

// DeleteReq ends a silence now.
type DeleteReq struct {
	g.Meta `path:"/silences/{id}" method:"delete" credential:"token" errors:"403,404,503" tags:"Silences" summary:"End a silence" dc:"Ends the silence now: the alarms it holds are unsilenced (those still active are notified again). A silence that is not there, has ended, or is not within the token's alarms patterns is 404; the token needs \"ack\": true (else 403)."`
	Id     string `json:"id" in:"path" v:"required" dc:"the silence's id" eg:"sil_k3j5v7x9b2d4f6h8"`
}

// DeleteRes is empty.
type DeleteRes struct{}
