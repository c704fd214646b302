package internal

// PulseSchemaDao is the data access object for table pulse_schema.
type PulseSchemaDao struct {
	table   string             // the table's name
	columns PulseSchemaColumns // the table's column names
}

// PulseSchemaColumns are the column names of table pulse_schema.
type PulseSchemaColumns struct {
	Id      string // 1: the table has one row
	Version string // the schema version the store is at
}

var pulseSchemaColumns = PulseSchemaColumns{
	Id:      "id",
	Version: "version",
}

// NewPulseSchemaDao returns the dao of table pulse_schema.
func NewPulseSchemaDao() *PulseSchemaDao {
	return &PulseSchemaDao{table: "pulse_schema", columns: pulseSchemaColumns}
}

// Table returns the table's name.
func (dao *PulseSchemaDao) Table() string { return dao.table }

// Columns returns the table's column names.
func (dao *PulseSchemaDao) Columns() PulseSchemaColumns { return dao.columns }
