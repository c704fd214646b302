package internal

// PulseAlarmSeqDao is the data access object for table pulse_alarm_seq.
type PulseAlarmSeqDao struct {
	table   string               // the table's name
	columns PulseAlarmSeqColumns // the table's column names
}

// PulseAlarmSeqColumns are the column names of table pulse_alarm_seq.
type PulseAlarmSeqColumns struct {
	Id        string // always 1: the table has one row
	Seq       string // the last seq handed out
	PurgedSeq string // the highest seq retention has purged
}

var pulseAlarmSeqColumns = PulseAlarmSeqColumns{
	Id:        "id",
	Seq:       "seq",
	PurgedSeq: "purged_seq",
}

// NewPulseAlarmSeqDao returns the dao of table pulse_alarm_seq.
func NewPulseAlarmSeqDao() *PulseAlarmSeqDao {
	return &PulseAlarmSeqDao{table: "pulse_alarm_seq", columns: pulseAlarmSeqColumns}
}

// Table returns the table's name.
func (dao *PulseAlarmSeqDao) Table() string { return dao.table }

// Columns returns the table's column names.
func (dao *PulseAlarmSeqDao) Columns() PulseAlarmSeqColumns { return dao.columns }
