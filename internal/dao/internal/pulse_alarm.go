// Package internal holds the table and column names of the daos (see package dao).
package internal

// PulseAlarmDao is the data access object for table pulse_alarm.
type PulseAlarmDao struct {
	table   string            // the table's name
	columns PulseAlarmColumns // the table's column names
}

// PulseAlarmColumns are the column names of table pulse_alarm.
type PulseAlarmColumns struct {
	AlarmId      string // the alarm's id
	BusinessType string // its business type: the alarm is (BusinessType, BusinessId, AlarmId)
	BusinessId   string // its business id
	Seq          string // seq of its latest event
	Status       string // active, acked or cleared
	ChangedMs    string // server time of its latest event, unix ms
	State        string // the Alarm as JSON
	Level        string // its level
	LastMs       string // its lastTime (latest raise), unix ms: the list's order
	FirstSeq     string // seq when the row was stored, which never changes: the order among equal lastTimes
	SearchText   string // title, newline, content, in lower case: what the list's q searches
}

var pulseAlarmColumns = PulseAlarmColumns{
	AlarmId:      "alarm_id",
	BusinessType: "business_type",
	BusinessId:   "business_id",
	Seq:          "seq",
	Status:       "status",
	ChangedMs:    "changed_ms",
	State:        "state",
	Level:        "level",
	LastMs:       "last_ms",
	FirstSeq:     "first_seq",
	SearchText:   "search_text",
}

// NewPulseAlarmDao returns the dao of table pulse_alarm.
func NewPulseAlarmDao() *PulseAlarmDao {
	return &PulseAlarmDao{table: "pulse_alarm", columns: pulseAlarmColumns}
}

// Table returns the table's name.
func (dao *PulseAlarmDao) Table() string { return dao.table }

// Columns returns the table's column names.
func (dao *PulseAlarmDao) Columns() PulseAlarmColumns { return dao.columns }
