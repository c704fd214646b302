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
