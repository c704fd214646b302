// Package v1 defines the ingest API: how services push row data and alarms into Pulse.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// RowDataReq publishes row data. The JSON body is one BusinessData object
// ({"businessType","businessId","time","data"}) or {"items":[...]} with 1 to 1000 of them;
// a batch is all or nothing. The guard reads the body and the handler decodes it strictly
// (internal/strictjson): GoFrame never parses it, Bodies only describes it.
type RowDataReq struct {
	g.Meta         `path:"/rowdata" method:"post" credential:"ingestKey" mime:"application/json" bodyRequired:"true" errors:"409,422,503" tags:"Ingest" summary:"Publish row data to dashboards" dc:"The body is one row-data item, or {\"items\":[...]} with 1 to 1000 of them: a batch is all or nothing. Each item goes to the dashboards subscribed to its business (an empty businessId: every id of the type; both empty: everyone). 503: the bus is down, nothing was accepted."`
	IdempotencyKey string `json:"Idempotency-Key" in:"header" dc:"1 to 128 printable ASCII bytes, the same in every retry of this request (with the same body): a repeat within ingest.idempotencyWindow (24h) is answered again, with Idempotent-Replayed: true, and not published again. Kept by the node that answered, per credential. 409 code 1411: the first is still being handled; 422 code 1422: the key was used with another body."`
}

// Bodies are the forms of the body: one item or a batch.
func (RowDataReq) Bodies() []any { return []any{model.BusinessData{}, RowDataBatch{}} }

// RowDataBatch is 1 to 1000 row-data items, accepted all or none.
type RowDataBatch struct {
	Items []model.BusinessData `json:"items" v:"required" dc:"1 to 1000 items"`
}

// RowDataRes reports how many items were accepted.
type RowDataRes struct {
	Accepted int `json:"accepted" dc:"items delivered to the bus" eg:"1"`
}

// AlarmReq publishes alarms. The JSON body is one Alarm object or {"items":[...]} with 1 to 1000;
// a batch is all or nothing. The body is read as RowDataReq's is.
type AlarmReq struct {
	g.Meta         `path:"/alarm" method:"post" credential:"ingestKey" mime:"application/json" bodyRequired:"true" errors:"409,422,503" tags:"Ingest" summary:"Publish alarms to every alarm console" dc:"The body is one alarm, or {\"items\":[...]} with 1 to 1000 of them: a batch is all or nothing. Each alarm is stored, then sent to every alarm console; the answer gives each its id and seq, in the order of the request. 503: the alarm store or the bus is down, nothing was accepted."`
	IdempotencyKey string `json:"Idempotency-Key" in:"header" dc:"1 to 128 printable ASCII bytes, the same in every retry of this request (with the same body): a repeat within ingest.idempotencyWindow (24h) gets the first answer again (the same ids and seqs), with Idempotent-Replayed: true, and stores nothing. Kept in the alarm store with the alarms, per credential: across restarts and nodes. 409 code 1411: the first is still being handled; 422 code 1422: the key was used with another body."`
}

// Bodies are the forms of the body: one alarm or a batch.
func (AlarmReq) Bodies() []any { return []any{model.AlarmBusinessData{}, AlarmBatch{}} }

// AlarmBatch is 1 to 1000 alarms, accepted all or none.
type AlarmBatch struct {
	Items []model.AlarmBusinessData `json:"items" v:"required" dc:"1 to 1000 alarms"`
}

// AlarmRes gives each accepted alarm its id and seq, in the order of the request.
type AlarmRes struct {
	Accepted int                  `json:"accepted" dc:"alarms stored and sent" eg:"1"`
	Items    []model.AlarmReceipt `json:"items" dc:"one per alarm, in the order of the request"`
}
