package entity

// PulseAlarmSeq is the row of table pulse_alarm_seq.
type PulseAlarmSeq struct {
	Id        int   `json:"id"        orm:"id"`
	Seq       int64 `json:"seq"       orm:"seq"`
	PurgedSeq int64 `json:"purgedSeq" orm:"purged_seq"`
}
