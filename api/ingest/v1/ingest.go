// Package v1 defines the ingest API: how services push row data and alarms into Pulse.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"pulse/internal/model"
)

// RowDataReq publishes row data. The JSON body is one BusinessData object
// ({"businessType","businessId","time","data"}) or {"items":[...]} with 1 to 1000 of them;
// a batch is all or nothing.
type RowDataReq struct {
	g.Meta `path:"/rowdata" method:"post" credential:"ingestKey" mime:"application/json" tags:"Ingest" summary:"Publish row data to dashboards"`
}

// RowDataRes reports how many items were accepted.
type RowDataRes struct {
	Accepted int `json:"accepted" dc:"items delivered to the bus"`
}

// AlarmReq publishes alarms. The JSON body is one Alarm object or {"items":[...]} with 1 to 1000;
// a batch is all or nothing.
type AlarmReq struct {
	g.Meta `path:"/alarm" method:"post" credential:"ingestKey" mime:"application/json" tags:"Ingest" summary:"Publish alarms to every alarm console"`
}

// AlarmRes gives each accepted alarm its id and seq, in the order of the request.
type AlarmRes struct {
	Accepted int                  `json:"accepted"`
	Items    []model.AlarmReceipt `json:"items"`
}
