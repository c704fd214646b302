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
	AlarmId      string          `json:"alarmId"` // names the alarm across repeats; generated when empty
	BusinessType string          `json:"businessType"`
	BusinessId   string          `json:"businessId"`
	Level        string          `json:"level"` // one of the Level constants; "warning" when empty
	Title        string          `json:"title"`
	Content      string          `json:"content"`
	Time         int64           `json:"time"` // unix ms; the server fills in the ingest time when 0
	Data         json.RawMessage `json:"data,omitempty"`
}

// AlarmReceipt tells an ingest caller what one accepted alarm became.
type AlarmReceipt struct {
	AlarmId string `json:"alarmId"`
	Seq     int64  `json:"seq"`
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
	Status    string `json:"status"`    // one of the Status constants
	Count     int64  `json:"count"`     // times raised
	FirstTime int64  `json:"firstTime"` // time of the first raise, unix ms
	LastTime  int64  `json:"lastTime"`  // time of the latest raise, unix ms
	AckedBy   string `json:"ackedBy"`
	AckTime   int64  `json:"ackTime"` // unix ms, 0 when not acknowledged
}
