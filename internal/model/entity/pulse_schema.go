package entity

// PulseSchema is the row of table pulse_schema.
type PulseSchema struct {
	Id      int `json:"id"      orm:"id"`
	Version int `json:"version" orm:"version"`
}
