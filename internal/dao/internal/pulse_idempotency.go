package internal

// PulseIdempotencyDao is the data access object for table pulse_idempotency.
type PulseIdempotencyDao struct {
	table   string                  // the table's name
	columns PulseIdempotencyColumns // the table's column names
}

// PulseIdempotencyColumns are the column names of table pulse_idempotency.
type PulseIdempotencyColumns struct {
	Scope      string // the credential: the ingest key's name; "" with auth off
	IdemKey    string // the Idempotency-Key header's value
	BodySha256 string // the SHA-256 of the request's raw body, in hex
	Answer     string // the receipts the request was answered with, as JSON
	CreatedMs  string // server unix ms of the commit that stored it
}

var pulseIdempotencyColumns = PulseIdempotencyColumns{
	Scope:      "scope",
	IdemKey:    "idem_key",
	BodySha256: "body_sha256",
	Answer:     "answer",
	CreatedMs:  "created_ms",
}

// NewPulseIdempotencyDao returns the dao of table pulse_idempotency.
func NewPulseIdempotencyDao() *PulseIdempotencyDao {
	return &PulseIdempotencyDao{table: "pulse_idempotency", columns: pulseIdempotencyColumns}
}

// Table returns the table's name.
func (dao *PulseIdempotencyDao) Table() string { return dao.table }

// Columns returns the table's column names.
func (dao *PulseIdempotencyDao) Columns() PulseIdempotencyColumns { return dao.columns }
