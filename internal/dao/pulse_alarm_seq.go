package dao

import "github.com/pulse-monitoring/pulse/internal/dao/internal"

// pulseAlarmSeqDao is the data access object for table pulse_alarm_seq.
type pulseAlarmSeqDao struct {
	*internal.PulseAlarmSeqDao
}

// PulseAlarmSeq is table pulse_alarm_seq: its one row (id 1) holds the last seq handed out and
// the highest seq retention has purged.
var PulseAlarmSeq = pulseAlarmSeqDao{internal.NewPulseAlarmSeqDao()}
