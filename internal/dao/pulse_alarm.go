package dao

import "github.com/pulse-monitoring/pulse/internal/dao/internal"

// pulseAlarmDao is the data access object for table pulse_alarm.
type pulseAlarmDao struct {
	*internal.PulseAlarmDao
}

// PulseAlarm is table pulse_alarm: the current state of every alarm.
var PulseAlarm = pulseAlarmDao{internal.NewPulseAlarmDao()}
