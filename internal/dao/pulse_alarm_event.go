package dao

import "github.com/pulse-monitoring/pulse/internal/dao/internal"

// pulseAlarmEventDao is the data access object for table pulse_alarm_event.
type pulseAlarmEventDao struct {
	*internal.PulseAlarmEventDao
}

// PulseAlarmEvent is table pulse_alarm_event: every alarm event, as consoles received it.
var PulseAlarmEvent = pulseAlarmEventDao{internal.NewPulseAlarmEventDao()}
