package model

// Outbound message types: every JSON object the server sends has a "type".
const (
	TypeRowData = "rowdata"
	TypeAlarm   = "alarm"
	TypeSynced  = "synced"
)

// RowDataMessage is the object a dashboard receives for one row-data item.
type RowDataMessage struct {
	Type string        `json:"type"`
	Ts   int64         `json:"ts"` // server unix ms at ingest
	Data *BusinessData `json:"data"`
}

// AlarmMessage is the object an alarm console receives for one alarm event: the alarm's state after
// the event.
type AlarmMessage struct {
	Type  string `json:"type" dc:"always alarm" eg:"alarm"`
	Seq   int64  `json:"seq" dc:"the event's place in the order every console sees" eg:"1"`
	Ts    int64  `json:"ts" dc:"server unix ms of the event" eg:"1732250000123"`
	Event string `json:"event" v:"in:raised,repeated,acked,cleared" dc:"raised, repeated, acked or cleared" eg:"raised"`
	Data  *Alarm `json:"data" dc:"the alarm's state after the event"`
}

// SyncedMessage tells a console that everything up to Seq has been sent: what follows is live.
type SyncedMessage struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}
