// Package v1 defines the row-data API: the row data each node keeps for charts.
package v1

import (
	"encoding/json"

	"github.com/gogf/gf/v2/frame/g"
)

// HistoryReq reads the row data the node keeps of one business, or of every id of a type, since a
// time: a chart fills its time window from it when it opens and after a reconnect.
type HistoryReq struct {
	g.Meta       `path:"/rowdata/history" method:"get" credential:"token" tags:"Row data" summary:"Row-data history for charts" dc:"The row data this node received within rowdata.historyWindow (at most rowdata.historyPoints items per business), oldest first, as dashboards received it. A node keeps it in memory from its start: it has none from before. With auth on, the token's rowdata patterns must cover the business (for businessId *, the type: T/* or *), as at a dashboard's door; else 403."`
	BusinessType string `json:"businessType" in:"query" v:"required" dc:"the business type" eg:"meter"`
	BusinessId   string `json:"businessId" in:"query" v:"required" dc:"the business id, or * for every id of the type (one series each, at most 1000, the most recently published)" eg:"m-001"`
	Since        int64  `json:"since" in:"query" v:"integer|min:0" dc:"server unix ms: only the items received at or after it (their ts); 0 or absent: the whole window"`
}

// HistoryRes holds the series and the units of their fields.
type HistoryRes struct {
	Series []Series `json:"series" dc:"for one business one series (its items may be empty); for businessId * one per id that has items, the most recently published first"`
	// Units come from the server's configuration (rowdata.units), not from the items.
	Units map[string]string `json:"units" dc:"the unit of each row-data field (a key of an item's data.data) the server's rowdata.units names; a field not in it has none" eg:"{\"voltage\":\"V\",\"current\":\"A\"}"`
}

// Series is one business's kept row data.
type Series struct {
	BusinessType string            `json:"businessType" eg:"meter"`
	BusinessId   string            `json:"businessId" eg:"m-001"`
	Items        []json.RawMessage `json:"items" dc:"the row objects ({type, ts, data}) exactly as a dashboard received them, oldest first"`
}
