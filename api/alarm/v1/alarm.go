// Package v1 defines the alarm API: acknowledge, clear and list the stored alarms, and read the
// events of one.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// An alarm is (businessType, businessId, alarmId): the same id under another business is another
// alarm. The canonical paths name all three (/alarms/{businessType}/{businessId}/{alarmId}/...);
// the v1 short form /alarms/{alarmId}/... works while exactly one alarm of that id is in the
// caller's scope (several: 409, code 1410). An alarm outside the caller's scope is answered as an
// unknown one (404).

// AckOfBusinessReq acknowledges an alarm named by its business and id; every console receives its
// new state. The alarm is the path's only; the body is AckBody.
type AckOfBusinessReq struct {
	g.Meta       `path:"/alarms/{businessType}/{businessId}/{alarmId}/ack" method:"post" credential:"token" mime:"application/json" errors:"404,409,503" tags:"Alarms" summary:"Acknowledge an alarm" dc:"Every console receives the alarm's new state. With auth on, the token's sub acknowledges it (the body may be {} or absent; a user in it is ignored); an alarm outside the token's alarms patterns is 404, as an unknown one, and one inside them needs \"ack\": true (else 403). With auth off the body names the user. Acknowledging an acknowledged alarm changes nothing; a cleared one is 409."`
	BusinessType string `json:"businessType" in:"path" v:"required" dc:"the alarm's business type" eg:"meter"`
	BusinessId   string `json:"businessId" in:"path" v:"required" dc:"the alarm's business id" eg:"m-001"`
	AlarmId      string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (AckOfBusinessReq) Bodies() []any { return []any{AckBody{}} }

// AckReq is AckOfBusinessReq's short form (v1): the alarm named by its id alone, which must be
// unambiguous within the caller's scope.
type AckReq struct {
	g.Meta  `path:"/alarms/{alarmId}/ack" method:"post" credential:"token" mime:"application/json" errors:"404,409,503" tags:"Alarms" summary:"Acknowledge an alarm by its id alone" dc:"As POST /alarms/{businessType}/{businessId}/{alarmId}/ack, for the one alarm with this id in the caller's scope; when alarms of several businesses in scope have it: 409, code 1410 (use the full path)."`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (AckReq) Bodies() []any { return []any{AckBody{}} }

// AckBody is the JSON body of an acknowledgement, and of a clear.
type AckBody struct {
	User string `json:"user" dc:"who acknowledges (or clears) it: 1 to 128 bytes of UTF-8 without control characters; auth on: ignored (the token's sub is the user)" eg:"alice"`
	// Comment is kept in the alarm's state (ackComment, clearComment), and so in the event every
	// console receives and in the alarm's history.
	Comment string `json:"comment" dc:"what the user says about it, shown in the alarm's state (ackComment or clearComment) and history: up to 1 KiB of UTF-8, without control characters but newline and tab; empty or absent: none. An acknowledgement (or clear) that changes nothing keeps no comment." eg:"on it: crew sent to the substation"`
}

// AckOfBusinessRes is the alarm after the acknowledgement.
type AckOfBusinessRes struct {
	*model.Alarm
}

// AckRes is the alarm after the acknowledgement.
type AckRes struct {
	*model.Alarm
}

// ClearOfBusinessReq clears an alarm named by its business and id; every console receives its new
// state. The body is AckBody's, or empty.
type ClearOfBusinessReq struct {
	g.Meta       `path:"/alarms/{businessType}/{businessId}/{alarmId}/clear" method:"post" credential:"token" mime:"application/json" errors:"404,409,503" tags:"Alarms" summary:"Clear an alarm" dc:"Every console receives the alarm's new state, with clearedBy and clearTime. With auth on the token's sub clears it; an alarm outside the token's alarms patterns is 404, as an unknown one, and one inside them needs \"ack\": true (else 403). With auth off the body may name the user. Clearing a cleared alarm changes nothing; a new raise makes it active again (and forgets who acknowledged and cleared it)."`
	BusinessType string `json:"businessType" in:"path" v:"required" dc:"the alarm's business type" eg:"meter"`
	BusinessId   string `json:"businessId" in:"path" v:"required" dc:"the alarm's business id" eg:"m-001"`
	AlarmId      string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
}

// Bodies is the body's only form: AckBody, empty, or {}.
func (ClearOfBusinessReq) Bodies() []any { return []any{AckBody{}} }

// ClearReq is ClearOfBusinessReq's short form (v1): the alarm named by its id alone.
type ClearReq struct {
	g.Meta  `path:"/alarms/{alarmId}/clear" method:"post" credential:"token" mime:"application/json" errors:"404,409,503" tags:"Alarms" summary:"Clear an alarm by its id alone" dc:"As POST /alarms/{businessType}/{businessId}/{alarmId}/clear, for the one alarm with this id in the caller's scope; when alarms of several businesses in scope have it: 409, code 1410 (use the full path)."`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
}

// Bodies is the body's only form: AckBody, empty, or {}.
func (ClearReq) Bodies() []any { return []any{AckBody{}} }

// ClearOfBusinessRes is the alarm after it was cleared.
type ClearOfBusinessRes struct {
	*model.Alarm
}

// ClearRes is the alarm after it was cleared.
type ClearRes struct {
	*model.Alarm
}

// ListReq lists stored alarms, newest lastTime first, a page at a time.
type ListReq struct {
	g.Meta   `path:"/alarms" method:"get" credential:"token" errors:"400,403,503" tags:"Alarms" summary:"List alarms" dc:"The alarms that pass every filter given, newest lastTime first (alarms of the same lastTime: the one stored later first), a page at a time: data.nextCursor, absent on the last page, is the cursor of the next. A walk through the pages sees every alarm that is not raised again meanwhile exactly once, whether it is acknowledged or cleared in between or not; an alarm raised (or raised again) during the walk goes to the top, where a new walk from the first page finds it. With auth on, only the alarms the token's alarms patterns cover; a token without any is 403."`
	Status   string `json:"status" in:"query" dc:"active, acked or cleared, or a comma list of them (active,acked: the unresolved); empty: any" eg:"active,acked"`
	Level    string `json:"level" in:"query" dc:"critical, major, minor, warning or info, or a comma list of them; empty: any" eg:"critical,major"`
	Business string `json:"business" in:"query" dc:"only the alarms of this business pattern: type/id, type/* or *; with auth on, within the token's alarms patterns (a pattern outside them lists nothing)" eg:"meter/*"`
	Q        string `json:"q" in:"query" dc:"only the alarms whose title or content contains this text, in any case (lower case compared: Go's Unicode lowering); % and _ are themselves; no control characters" eg:"voltage"`
	From     string `json:"from" in:"query" dc:"only the alarms whose lastTime is this or later: unix ms" eg:"1732250000000"`
	To       string `json:"to" in:"query" dc:"only the alarms whose lastTime is this or earlier: unix ms" eg:"1732253600000"`
	Limit    int    `json:"limit" in:"query" d:"100" v:"between:1,1000" dc:"the page's size: at most this many (1 to 1000)"`
	Cursor   string `json:"cursor" in:"query" dc:"the previous page's data.nextCursor, as it was given; empty: the first page"`
}

// ListRes holds a page of alarms.
type ListRes struct {
	Items      []model.Alarm `json:"items" dc:"the alarms, newest lastTime first"`
	NextCursor string        `json:"nextCursor,omitempty" dc:"the cursor of the next page; absent on the last page"`
}

// EventsOfBusinessReq lists the stored events of one alarm, named by its business and id, in seq
// order: its history.
type EventsOfBusinessReq struct {
	g.Meta       `path:"/alarms/{businessType}/{businessId}/{alarmId}/events" method:"get" credential:"token" errors:"404,503" tags:"Alarms" summary:"An alarm's events" dc:"The alarm's stored events, oldest first, as alarm consoles received them (retention may have purged older ones). With auth on, an alarm outside the token's alarms patterns is 404, as an unknown one."`
	BusinessType string `json:"businessType" in:"path" v:"required" dc:"the alarm's business type" eg:"meter"`
	BusinessId   string `json:"businessId" in:"path" v:"required" dc:"the alarm's business id" eg:"m-001"`
	AlarmId      string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
	Limit        int    `json:"limit" in:"query" d:"1000" v:"between:1,1000" dc:"the latest this many events (1 to 1000)"`
}

// EventsReq is EventsOfBusinessReq's short form (v1): the alarm named by its id alone.
type EventsReq struct {
	g.Meta  `path:"/alarms/{alarmId}/events" method:"get" credential:"token" errors:"404,409,503" tags:"Alarms" summary:"An alarm's events, by its id alone" dc:"As GET /alarms/{businessType}/{businessId}/{alarmId}/events, for the one alarm with this id in the caller's scope; when alarms of several businesses in scope have it: 409, code 1410 (use the full path)."`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
	Limit   int    `json:"limit" in:"query" d:"1000" v:"between:1,1000" dc:"the latest this many events (1 to 1000)"`
}

// EventsOfBusinessRes holds the events, oldest first, as alarm consoles received them
// (retention may have purged older ones).
type EventsOfBusinessRes struct {
	Items []model.AlarmMessage `json:"items" dc:"the events, oldest first"`
}

// EventsRes holds the events, oldest first, as alarm consoles received them (retention may have
// purged older ones).
type EventsRes struct {
	Items []model.AlarmMessage `json:"items" dc:"the events, oldest first"`
}

// BulkAckReq acknowledges many alarms at once, each on its own; the body is BulkBody.
type BulkAckReq struct {
	g.Meta `path:"/alarms/ack" method:"post" credential:"token" mime:"application/json" errors:"400,403,503" tags:"Alarms" summary:"Acknowledge many alarms" dc:"Each alarm the body names (1 to 500) is acknowledged or refused on its own, and data.items says which, in the body's order: an unknown alarm, and one outside the token's alarms patterns, is refused with status 404 (code 65), a cleared one with 409 (code 1409); an acknowledged one stays as it is (ok). The acknowledgements are committed together and every console receives each acked event. The whole request is refused when its body is not valid (400), when the token lacks \"ack\": true (403), or when the store fails (503); it counts once toward auth.userRate. With auth on the token's sub acknowledges (a user in the body is ignored); with auth off the body names the user."`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (BulkAckReq) Bodies() []any { return []any{BulkBody{}} }

// BulkClearReq clears many alarms at once, each on its own; the body is BulkBody.
type BulkClearReq struct {
	g.Meta `path:"/alarms/clear" method:"post" credential:"token" mime:"application/json" errors:"400,403,503" tags:"Alarms" summary:"Clear many alarms" dc:"As POST /alarms/ack, clearing: an unknown alarm, and one outside the token's alarms patterns, is refused with status 404 (code 65); a cleared one stays as it is (ok). With auth off the body may name the user."`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (BulkClearReq) Bodies() []any { return []any{BulkBody{}} }

// BulkBody is the JSON body of a bulk acknowledgement or clear: the alarms, and the user and
// comment of every change, as AckBody's.
type BulkBody struct {
	Alarms []AlarmRef `json:"alarms" dc:"the alarms, 1 to 500 (an alarm named twice: the second finds it changed)"`
	AckBody
}

// AlarmRef names one alarm in full.
type AlarmRef struct {
	BusinessType string `json:"businessType" dc:"the alarm's business type" eg:"meter"`
	BusinessId   string `json:"businessId" dc:"the alarm's business id (required)" eg:"m-001"`
	AlarmId      string `json:"alarmId" dc:"the alarm's id (required)" eg:"a-17"`
}

// BulkAckRes says what became of each alarm, in the body's order.
type BulkAckRes struct {
	Items []BulkItem `json:"items" dc:"one per alarm of the body, in its order"`
}

// BulkClearRes says what became of each alarm, in the body's order.
type BulkClearRes struct {
	Items []BulkItem `json:"items" dc:"one per alarm of the body, in its order"`
}

// BulkItem is what became of one alarm of a bulk change.
type BulkItem struct {
	AlarmRef
	Ok      bool         `json:"ok" dc:"true: acknowledged (cleared), or already so; false: refused (status, code and message say why)"`
	Status  int          `json:"status,omitempty" dc:"refused: the HTTP status the change of this alarm alone would have had (404, 409)" eg:"404"`
	Code    int          `json:"code,omitempty" dc:"refused: the error code (65 not found, 1409 conflict)" eg:"65"`
	Message string       `json:"message,omitempty" dc:"refused: why" eg:"alarm \"meter/m-001/a-17\" not found"`
	Alarm   *model.Alarm `json:"alarm,omitempty" dc:"ok: the alarm's state after the change"`
}
