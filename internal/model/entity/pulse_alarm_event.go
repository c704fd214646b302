package entity

// PulseAlarmEvent is a row of table pulse_alarm_event.
type PulseAlarmEvent struct {
	Seq          int64  `json:"seq"          orm:"seq"`
	AlarmId      string `json:"alarmId"      orm:"alarm_id"`
	BusinessType string `json:"businessType" orm:"business_type"`
	BusinessId   string `json:"businessId"   orm:"business_id"`
	CreatedMs    int64  `json:"createdMs"    orm:"created_ms"`
	Frame        string `json:"frame"        orm:"frame"`
}
