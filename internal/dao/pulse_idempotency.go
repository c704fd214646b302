package dao

import "github.com/pulse-monitoring/pulse/internal/dao/internal"

// pulseIdempotencyDao is the data access object for table pulse_idempotency.
type pulseIdempotencyDao struct {
	*internal.PulseIdempotencyDao
}

// PulseIdempotency is table pulse_idempotency: the Idempotency-Keys of alarm ingest and the
// answers they got, kept for ingest.idempotencyWindow.
var PulseIdempotency = pulseIdempotencyDao{internal.NewPulseIdempotencyDao()}
