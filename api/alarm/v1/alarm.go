// Package v1 defines the alarm API: acknowledge, clear and list the stored alarms, and read the
// events of one.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"pulse/internal/model"
)

// AckReq acknowledges an alarm; every console receives its new state. The id is the path's only;
// the body is AckBody.
type AckReq struct {
	g.Meta  `path:"/alarms/{alarmId}/ack" method:"post" credential:"token" mime:"application/json" errors:"404,409,503" tags:"Alarms" summary:"Acknowledge an alarm" dc:"Every console receives the alarm's new state. With auth on, the token's sub acknowledges it (the body may be {} or absent; a user in it is ignored) and the token needs \"ack\": true and an alarms pattern covering the alarm (else 403); with auth off the body names the user. Acknowledging an acknowledged alarm changes nothing; a cleared one is 409."`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (AckReq) Bodies() []any { return []any{AckBody{}} }

// AckBody is the JSON body of an acknowledgement.
type AckBody struct {
	User string `json:"user" dc:"who acknowledges it: 1 to 128 bytes of UTF-8 without control characters; auth on: ignored (the token's sub is the user)" eg:"alice"`
}

// AckRes is the alarm after the acknowledgement.
type AckRes struct {
	*model.Alarm
}

// ClearReq clears an alarm; every console receives its new state.
// The body is empty or {}.
type ClearReq struct {
	g.Meta  `path:"/alarms/{alarmId}/clear" method:"post" credential:"token" mime:"application/json" errors:"404,503" tags:"Alarms" summary:"Clear an alarm" dc:"Every console receives the alarm's new state. With auth on the token needs \"ack\": true and an alarms pattern covering the alarm (else 403). Clearing a cleared alarm changes nothing; a new raise makes it active again."`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
}

// Bodies is the body's only form: empty, or {}.
func (ClearReq) Bodies() []any { return []any{ClearBody{}} }

// ClearBody is the body of a clear: nothing, or {}.
type ClearBody struct{}

// ClearRes is the alarm after it was cleared.
type ClearRes struct {
	*model.Alarm
}

// ListReq lists stored alarms, most recently changed first.
type ListReq struct {
	g.Meta `path:"/alarms" method:"get" credential:"token" errors:"503" tags:"Alarms" summary:"List alarms" dc:"Most recently changed first. With auth on, only the alarms the token's alarms patterns cover; a token without any is 403."`
	Status string `json:"status" in:"query" v:"in:active,acked,cleared" dc:"only alarms in this status; empty: any"`
	Limit  int    `json:"limit" in:"query" d:"100" v:"between:1,1000" dc:"at most this many (1 to 1000)"`
}

// ListRes holds the alarms.
type ListRes struct {
	Items []model.Alarm `json:"items" dc:"the alarms, most recently changed first"`
}

// EventsReq lists the stored events of one alarm, in seq order: its history.
type EventsReq struct {
	g.Meta  `path:"/alarms/{alarmId}/events" method:"get" credential:"token" errors:"404,503" tags:"Alarms" summary:"An alarm's events" dc:"The alarm's stored events, oldest first, as alarm consoles received them (retention may have purged older ones). With auth on, only of an alarm the token's alarms patterns cover (else 403)."`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
	Limit   int    `json:"limit" in:"query" d:"1000" v:"between:1,1000" dc:"the latest this many events (1 to 1000)"`
}

// EventsRes holds the events, oldest first, as alarm consoles received them (retention may have
// purged older ones).
type EventsRes struct {
	Items []model.AlarmMessage `json:"items" dc:"the events, oldest first"`
}
