package dao

import "github.com/pulse-monitoring/pulse/internal/dao/internal"

// pulseSchemaDao is the data access object for table pulse_schema.
type pulseSchemaDao struct {
	*internal.PulseSchemaDao
}

// PulseSchema is table pulse_schema: its one row (id 1) holds the schema version the store is at.
var PulseSchema = pulseSchemaDao{internal.NewPulseSchemaDao()}
