package model

// Outbound frame types: every object the server sends has a "type".
const (
	FrameRowData = "rowdata"
	FrameAlarm   = "alarm"
)

// RowDataFrame is the object a dashboard receives for one row-data item.
type RowDataFrame struct {
	Type string        `json:"type"`
	Ts   int64         `json:"ts"` // server unix ms at ingest
	Data *BusinessData `json:"data"`
}

// AlarmFrame is the object an alarm console receives for one alarm event.
type AlarmFrame struct {
	Type string             `json:"type"`
	Seq  int64              `json:"seq"`
	Ts   int64              `json:"ts"`
	Data *AlarmBusinessData `json:"data"`
}
