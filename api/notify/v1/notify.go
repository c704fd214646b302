// Package v1 is the notification API: an alarm's deliveries, and a test of an outlet.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/notify"
)

// DeliveriesReq lists the notification records of one alarm: every attempt to deliver a
// notification of it, and every notification skipped.
type DeliveriesReq struct {
	g.Meta       `path:"/alarms/{businessType}/{businessId}/{alarmId}/deliveries" method:"get" credential:"token" errors:"404,503" tags:"Notifications" summary:"An alarm's deliveries" dc:"Every attempt to deliver a notification of the alarm (outlet, target, attempt, status, time, error cut to scheme, host and status), oldest first; also the notifications superseded by a later one of the same alarm. Records are not alarm events: they have no seq of their own, and are kept for notify.retention. With auth on, an alarm outside the token's alarms patterns is 404, as an unknown one."`
	BusinessType string `json:"businessType" in:"path" v:"required" dc:"the alarm's business type" eg:"meter"`
	BusinessId   string `json:"businessId" in:"path" v:"required" dc:"the alarm's business id" eg:"m-001"`
	AlarmId      string `json:"alarmId" in:"path" v:"required" dc:"the alarm's id" eg:"a-17"`
	Limit        int    `json:"limit" in:"query" d:"1000" v:"between:1,1000" dc:"at most this many records, oldest first (1 to 1000)"`
}

// DeliveriesRes holds the records, oldest first.
type DeliveriesRes struct {
	Items []notify.Record `json:"items" dc:"the records, oldest first"`
}

// TestReq sends a test notification through an outlet now.
type TestReq struct {
	g.Meta `path:"/notify/test" method:"post" credential:"token" mime:"application/json" errors:"400,403,404,503" tags:"Notifications" summary:"Try an outlet" dc:"Sends a test notification (kind test, alarm pulse/notify/test) to every target of the outlet now, outside the outbox (no retry, no record), and answers what each target said. With auth on the token needs \"ack\": true and \"*\" in its alarms patterns (else 403). An outlet that is not configured: 404."`
}

// Bodies is the body's only form. The handler decodes it strictly; GoFrame never parses it.
func (TestReq) Bodies() []any { return []any{TestBody{}} }

// TestBody names the outlet to try.
type TestBody struct {
	Outlet string `json:"outlet" dc:"the outlet's name in notify.outlets (required)" eg:"ops-webhook"`
}

// TestRes says what each target of the outlet answered.
type TestRes struct {
	Outlet  string       `json:"outlet" dc:"the outlet tried" eg:"ops-webhook"`
	Results []TestResult `json:"results" dc:"one per target"`
}

// TestResult is one target's answer.
type TestResult struct {
	Target string `json:"target" dc:"the recipient (an email address); empty for an outlet with one destination"`
	OK     bool   `json:"ok" dc:"the receiver accepted the notification"`
	Status int    `json:"status" dc:"the receiver's HTTP status (or SMTP reply code); 0 when nothing answered"`
	Error  string `json:"error,omitempty" dc:"why it failed, cut to scheme, host and status"`
}
