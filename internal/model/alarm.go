package model

import "encoding/json"

// Alarm levels, most severe first.
const (
	LevelCritical = "critical"
	LevelMajor    = "major"
	LevelMinor    = "minor"
	LevelWarning  = "warning"
	LevelInfo     = "info"
)

// AlarmBusinessData is one alarm raised by an ingest service, pushed to every alarm console.
type AlarmBusinessData struct {
	AlarmId      string          `json:"alarmId" dc:"names the alarm across repeats; empty: the server generates one" eg:"a-17"`
	BusinessType string          `json:"businessType" v:"required" dc:"the business type (required)" eg:"meter"`
	BusinessId   string          `json:"businessId" v:"required" dc:"the business id (required)" eg:"m-001"`
	Level        string          `json:"level" dc:"critical, major, minor, warning or info; empty: warning" eg:"critical"`
	Title        string          `json:"title" dc:"at most 512 bytes" eg:"Over-voltage"`
	Content      string          `json:"content" dc:"at most 8192 bytes" eg:"voltage 262 V > 250 V"`
	Time         int64           `json:"time" dc:"unix ms; 0 or absent: the server's ingest time" eg:"1732250000123"`
	Data         json.RawMessage `json:"data,omitempty" dc:"any JSON value (an object, usually), at most 16 KiB encoded; absent when none was sent" eg:"{\"voltage\":262}"`
	// Action is what the item does: "raise" (or empty) raises the alarm, "clear" clears it. It is
	// an instruction, never part of the alarm's state.
	Action string `json:"action,omitempty" dc:"raise (default) or clear: a source resolves its alarm; clearing an unknown or cleared alarm changes nothing" eg:"raise"`
}

// Alarm actions of an ingest item.
const (
	ActionRaise = "raise"
	ActionClear = "clear"
)

// AlarmKey names one alarm: an alarm is its business and its id, so the same alarmId under
// another business is another alarm. A key without a BusinessId (every alarm has one) is the
// short form of the v1 API, which names an alarm by its id alone.
type AlarmKey struct {
	BusinessType string
	BusinessId   string
	AlarmId      string
}

// Key is the alarm's key.
func (a *AlarmBusinessData) Key() AlarmKey {
	return AlarmKey{BusinessType: a.BusinessType, BusinessId: a.BusinessId, AlarmId: a.AlarmId}
}

// Short reports whether k names the alarm by its id alone.
func (k AlarmKey) Short() bool { return k.BusinessId == "" }

// String is the key as the canonical API path writes it: type/id/alarmId, or the alarmId alone.
func (k AlarmKey) String() string {
	if k.Short() {
		return k.AlarmId
	}
	return k.BusinessType + "/" + k.BusinessId + "/" + k.AlarmId
}

// AlarmReceipt tells an ingest caller what one accepted alarm became.
type AlarmReceipt struct {
	AlarmId string `json:"alarmId" eg:"a-17"`
	Seq     int64  `json:"seq" dc:"the alarm event's place in the order every console sees" eg:"1"`
}

// Alarm statuses.
const (
	StatusActive  = "active"
	StatusAcked   = "acked"
	StatusCleared = "cleared"
)

// Alarm events: each gets its own seq.
const (
	EventRaised   = "raised"   // first raise, or a raise after a clear
	EventRepeated = "repeated" // a raise of an alarm that is not cleared
	EventAcked    = "acked"
	EventCleared  = "cleared"
)

// Alarm is an alarm's state as consoles and GET /api/v1/alarms show it: its latest raise and its
// lifecycle.
type Alarm struct {
	AlarmBusinessData
	Status    string `json:"status" v:"in:active,acked,cleared" dc:"active, acked or cleared" eg:"active"`
	Count     int64  `json:"count" dc:"times raised" eg:"1"`
	FirstTime int64  `json:"firstTime" dc:"time of the first raise, unix ms" eg:"1732250000123"`
	LastTime  int64  `json:"lastTime" dc:"time of the latest raise, unix ms" eg:"1732250000123"`
	AckedBy   string `json:"ackedBy" dc:"who acknowledged it; empty when nobody did"`
	AckTime   int64  `json:"ackTime" dc:"unix ms; 0 when not acknowledged"`
	ClearedBy string `json:"clearedBy" dc:"who cleared it: a user, or the name of the ingest key (ingest with auth off) that resolved it; empty when not cleared"`
	ClearTime int64  `json:"clearTime" dc:"unix ms; 0 when not cleared"`
	// AckComment and ClearComment are what the people who acknowledged and cleared it said: part
	// of the state, like AckedBy, so that the acked and cleared events (on the socket and in the
	// alarm's history) and the list carry them. A raise after a clear forgets them.
	AckComment   string `json:"ackComment,omitempty" dc:"the comment given with the acknowledgement (up to 1 KiB); absent when none was"`
	ClearComment string `json:"clearComment,omitempty" dc:"the comment given with the clear (up to 1 KiB); absent when none was"`
	// Silenced is the silence that holds the alarm (set by a silenced event, dropped by an
	// unsilenced one and by a clear).
	Silenced *SilenceMark `json:"silenced,omitempty" dc:"the silence that holds the alarm's notifications back; absent when none does"`
}

// Alarm events of silences: each gets its own seq, like the lifecycle's.
const (
	EventSilenced   = "silenced"   // a silence started that holds the alarm, or it was raised under one
	EventUnsilenced = "unsilenced" // the silence that held it ended (or was deleted)
)

// SilenceMark is the silence an alarm is held by, as its state shows it: consoles still receive
// the alarm, marked; notifications of it are held back until the silence ends.
type SilenceMark struct {
	Id        string `json:"id" dc:"the silence's id" eg:"sil_k3j5v7x9b2d4f6h8"`
	EndsAt    int64  `json:"endsAt" dc:"when the silence ends, unix ms; 0: when the alarm is cleared (shelved until cleared)" eg:"1732253600000"`
	Comment   string `json:"comment" dc:"why it was silenced" eg:"substation maintenance"`
	CreatedBy string `json:"createdBy" dc:"who silenced it" eg:"alice"`
}
