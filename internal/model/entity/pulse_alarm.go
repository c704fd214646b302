// Package entity holds a row type per table of the alarm store, in the shape `gf gen dao`
// generates (see package dao).
package entity

// PulseAlarm is a row of table pulse_alarm.
type PulseAlarm struct {
	AlarmId      string `json:"alarmId"      orm:"alarm_id"`
	BusinessType string `json:"businessType" orm:"business_type"`
	BusinessId   string `json:"businessId"   orm:"business_id"`
	Seq          int64  `json:"seq"          orm:"seq"`
	Status       string `json:"status"       orm:"status"`
	ChangedMs    int64  `json:"changedMs"    orm:"changed_ms"`
	State        string `json:"state"        orm:"state"`
	Level        string `json:"level"        orm:"level"`
	LastMs       int64  `json:"lastMs"       orm:"last_ms"`
	FirstSeq     int64  `json:"firstSeq"     orm:"first_seq"`
	SearchText   string `json:"searchText"   orm:"search_text"`
}
