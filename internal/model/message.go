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
	Event string `json:"event" v:"in:raised,repeated,acked,cleared,silenced,unsilenced" dc:"raised, repeated, acked, cleared, silenced or unsilenced" eg:"raised"`
	Data  *Alarm `json:"data" dc:"the alarm's state after the event"`
}

// SyncedMessage tells a console that everything up to Seq has been sent: what follows is live.
type SyncedMessage struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}

// rowDataStart is how every encoded RowDataMessage begins: its members in their order.
const rowDataStart = `{"type":"rowdata","ts":`

// RowDataTs reads the ts of an encoded RowDataMessage without decoding it (each node's delivery
// of row data reads it), or reports that message is not one.
func RowDataTs(message []byte) (int64, bool) {
	if len(message) <= len(rowDataStart) || string(message[:len(rowDataStart)]) != rowDataStart {
		return 0, false
	}
	var ts int64
	digits := 0
	for _, c := range message[len(rowDataStart):] {
		if c < '0' || c > '9' || digits == 18 {
			break
		}
		ts = ts*10 + int64(c-'0')
		digits++
	}
	return ts, digits > 0
}
