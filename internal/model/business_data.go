package model

import "encoding/json"

// BusinessData is one row-data item: a metric sample of one business, pushed to dashboards.
type BusinessData struct {
	BusinessType string          `json:"businessType"`
	BusinessId   string          `json:"businessId"`
	Time         int64           `json:"time"` // unix ms; the server fills in the ingest time when 0
	Data         json.RawMessage `json:"data"` // any JSON value, delivered unchanged
}
