// Package v1 defines the alarm API: acknowledge, clear and list the stored alarms.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"pulse/internal/model"
)

// AckReq acknowledges an alarm; every console receives its new state. The id is the path's only;
// the body is AckBody.
type AckReq struct {
	g.Meta  `path:"/alarms/{alarmId}/ack" method:"post" credential:"token" mime:"application/json" tags:"Alarms" summary:"Acknowledge an alarm"`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id"`
}

// AckBody is the JSON body of an acknowledgement.
type AckBody struct {
	User string `json:"user" dc:"who acknowledges it: 1 to 128 bytes of UTF-8 without control characters"`
}

// AckRes is the alarm after the acknowledgement.
type AckRes struct {
	*model.Alarm
}

// ClearReq clears an alarm; every console receives its new state.
// The body is empty or {}.
type ClearReq struct {
	g.Meta  `path:"/alarms/{alarmId}/clear" method:"post" credential:"token" mime:"application/json" tags:"Alarms" summary:"Clear an alarm"`
	AlarmId string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id"`
}

// ClearRes is the alarm after it was cleared.
type ClearRes struct {
	*model.Alarm
}

// ListReq lists stored alarms, most recently changed first.
type ListReq struct {
	g.Meta `path:"/alarms" method:"get" credential:"token" tags:"Alarms" summary:"List alarms"`
	Status string `json:"status" in:"query" v:"in:active,acked,cleared" dc:"only alarms in this status; empty: any"`
	Limit  int    `json:"limit" in:"query" d:"100" v:"between:1,1000" dc:"at most this many (1 to 1000)"`
}

// ListRes holds the alarms.
type ListRes struct {
	Items []model.Alarm `json:"items"`
}
