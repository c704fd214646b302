package model

import "encoding/json"

// BusinessData is one row-data item: a metric sample of one business, pushed to dashboards.
type BusinessData struct {
	BusinessType string          `json:"businessType" dc:"the business type; empty with an empty businessId: every row-data subscriber" eg:"meter"`
	BusinessId   string          `json:"businessId" dc:"the business id; empty: every id of the type" eg:"m-001"`
	Time         int64           `json:"time" dc:"unix ms; 0 or absent: the server's ingest time" eg:"1732250000123"`
	Data         json.RawMessage `json:"data" dc:"any JSON value, delivered unchanged" eg:"{\"voltage\":229.8,\"current\":4.2}"`
}
