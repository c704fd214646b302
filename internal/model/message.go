package model

// Outbound frame types: every object the server sends has a "type".
const (
	FrameRowData = "rowdata"
	FrameAlarm   = "alarm"
	FrameSynced  = "synced"
)

// RowDataFrame is the object a dashboard receives for one row-data item.
type RowDataFrame struct {
	Type string        `json:"type"`
	Ts   int64         `json:"ts"` // server unix ms at ingest
	Data *BusinessData `json:"data"`
}

// AlarmFrame is the object an alarm console receives for one alarm event: the alarm's state after
// the event.
type AlarmFrame struct {
	Type  string `json:"type"`
	Seq   int64  `json:"seq"`
	Ts    int64  `json:"ts"`    // server unix ms of the event
	Event string `json:"event"` // one of the Event constants
	Data  *Alarm `json:"data"`
}

// SyncedFrame tells a console that everything up to Seq has been sent: what follows is live.
type SyncedFrame struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}
