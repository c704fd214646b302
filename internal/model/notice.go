package model

import "encoding/json"

// TypeNotice is the type of the object a user's sockets receive for a notice.
const TypeNotice = "notice"

// Notice is a message to one user (POST /api/v1/users/{user}/notices, ingest.SendToUser): what a
// person or a service tells someone ("alarm X is yours"). It is about one business, which the
// sender must be allowed and the receiver must follow; it is delivered to the user's open
// sockets and not kept.
type Notice struct {
	Title        string          `json:"title" v:"required" dc:"1 to 512 bytes" eg:"Alarm a-17 is yours"`
	Content      string          `json:"content" dc:"at most 8192 bytes" eg:"alice assigned it to you"`
	Level        string          `json:"level" dc:"critical, major, minor, warning or info; empty: info" eg:"info"`
	Data         json.RawMessage `json:"data,omitempty" dc:"any JSON value, at most 16 KiB encoded; absent when none was sent" eg:"{\"alarmId\":\"a-17\"}"`
	BusinessType string          `json:"businessType" v:"required" dc:"the business the notice is about (required)" eg:"meter"`
	BusinessId   string          `json:"businessId" v:"required" dc:"the business id (required)" eg:"m-001"`
}

// NoticeData is a notice as its receiver gets it: the notice, who it is for and who sent it.
type NoticeData struct {
	User string `json:"user" dc:"the receiver" eg:"bob"`
	// From is the sender: a token's sub, an ingest key's name, or "" (auth off, the Go API).
	From string `json:"from" dc:"the sender: a token's sub, an ingest key's name, empty with auth off" eg:"alice"`
	*Notice
}

// NoticeMessage is the object every open socket of the receiver gets.
type NoticeMessage struct {
	Type string      `json:"type" dc:"always notice" eg:"notice"`
	Ts   int64       `json:"ts" dc:"server unix ms when the notice was sent" eg:"1732250000123"`
	Data *NoticeData `json:"data"`
}
