package internal

// PulseAlarmEventDao is the data access object for table pulse_alarm_event.
type PulseAlarmEventDao struct {
	table   string                 // the table's name
	columns PulseAlarmEventColumns // the table's column names
}

// PulseAlarmEventColumns are the column names of table pulse_alarm_event.
type PulseAlarmEventColumns struct {
	Seq          string // the event's seq
	AlarmId      string // the alarm it changed
	BusinessType string // the alarm's business type
	BusinessId   string // the alarm's business id
	CreatedMs    string // server time of the event, unix ms
	Frame        string // the event's message, as consoles received it
}

var pulseAlarmEventColumns = PulseAlarmEventColumns{
	Seq:          "seq",
	AlarmId:      "alarm_id",
	BusinessType: "business_type",
	BusinessId:   "business_id",
	CreatedMs:    "created_ms",
	Frame:        "frame",
}

// NewPulseAlarmEventDao returns the dao of table pulse_alarm_event.
func NewPulseAlarmEventDao() *PulseAlarmEventDao {
	return &PulseAlarmEventDao{table: "pulse_alarm_event", columns: pulseAlarmEventColumns}
}

// Table returns the table's name.
func (dao *PulseAlarmEventDao) Table() string { return dao.table }

// Columns returns the table's column names.
func (dao *PulseAlarmEventDao) Columns() PulseAlarmEventColumns { return dao.columns }
