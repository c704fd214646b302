package middleware_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// TestStrictJSON: the loose JSON of issue 10 item 6 and oversized alarm data are answered 400 with a
// message naming the field, and nothing of them is delivered or stored.
func TestStrictJSON(t *testing.T) {
	n := pulsenode.Start(t, nil)
	watcher := n.Dial(pulsenode.RowPath("meter", "*", "w"))
	console := n.Dial("/ws/alarm")
	n.WaitConnections(1, 1)

	blob := strings.Repeat("b", 17<<10)
	cases := []struct {
		path, body, mention string
	}{
		{"/api/v1/rowdata", `{"businessType":"meter","BUSINESSID":"m-1","data":{"n":"case"}}`, `body: unknown field "BUSINESSID"`},
		{"/api/v1/rowdata", `{"items":[{"businessType":"meter","businessId":"m-1","Data":{"n":"case"}}]}`, `items[0]: unknown field "Data"`},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"*","businessId":"ok","data":{"n":"dup"}}`, `body: duplicate key "businessId"`},
		{"/api/v1/rowdata", `{"businessType":"meter","data":{"n":"dup","n":"dup2"}}`, `body.data: duplicate key "n"`},
		{"/api/v1/rowdata", "{\"businessType\":\"meter\",\"businessId\":\"m-\xff\",\"data\":{\"n\":\"utf8\"}}", "body.businessId: invalid UTF-8"},
		{"/api/v1/rowdata", "{\"businessType\":\"meter\",\"data\":{\"n\":\"\xed\xa0\x80\"}}", "body.data.n: invalid UTF-8"},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"m-\ud800","data":{"n":"surrogate"}}`, `body.businessId: invalid UTF-8: lone surrogate escape \ud800`},
		{"/api/v1/rowdata", `{"businessType":"meter","data":{"n":"\udc00"}}`, "body.data.n: invalid UTF-8"},
		{"/api/v1/rowdata", `{"businessType":"meter","data":` + nested(9990) + `}`, "body.data: nested deeper than 32 levels"},
		{"/api/v1/rowdata", `{"items":[{"businessType":"meter","data":{"n":"ok"}},{"businessType":"meter","data":` + nested(33) + `}]}`, "items[1].data: nested deeper than 32 levels"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","LEVEL":"critical"}`, `body: unknown field "LEVEL"`},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"*","businessId":"ok"}`, `body: duplicate key "businessId"`},
		{"/api/v1/alarm", "{\"businessType\":\"meter\",\"businessId\":\"m-1\",\"title\":\"\xc3\x28\"}", "body.title: invalid UTF-8"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","content":"\ud800\u0041"}`, "body.content: invalid UTF-8"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","data":{"a":` + nested(33) + `}}`, "body.data: nested deeper than 32 levels"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","data":{"blob":"` + blob + `"}}`, "data: must be at most 16384 bytes encoded"},
		{"/api/v1/alarm", `{"items":[{"businessType":"meter","businessId":"m-1"},{"businessType":"meter","businessId":"m-2","data":"` + blob + `"}]}`, "items[1].data: must be at most 16384 bytes encoded"},
	}
	for _, tc := range cases {
		status, env := n.Post(tc.path, tc.body)
		if status != 400 || env.Code == 0 || !strings.Contains(env.Message, tc.mention) {
			t.Errorf("POST %s %.70q: got %d %+v, want 400 mentioning %q", tc.path, tc.body, status, env, tc.mention)
		}
	}

	// The Go API refuses such data alike.
	ctx := context.Background()
	if err := ingest.SendRowDataBusinessData(ctx, model.BusinessData{BusinessType: "meter", Data: json.RawMessage(`{"d":` + nested(40) + `}`)}); err == nil || !strings.Contains(err.Error(), "data: nested deeper than 32 levels") {
		t.Errorf("Go API, deep row data: %v", err)
	}
	if err := ingest.SendRowDataBusinessData(ctx, model.BusinessData{BusinessType: "meter", Data: json.RawMessage(`{"n":"a","n":"b"}`)}); err == nil || !strings.Contains(err.Error(), `data: duplicate key "n"`) {
		t.Errorf("Go API, duplicate key in row data: %v", err)
	}
	if err := ingest.SendAlarmBusinessData(ctx, model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1", Data: json.RawMessage(`"` + blob + `"`)}); err == nil || !strings.Contains(err.Error(), "data: must be at most 16384 bytes") {
		t.Errorf("Go API, large alarm data: %v", err)
	}

	// Nothing of the above reached a client or the store.
	n.Marker("after")
	if got := watcher.ReceivedUntilMarker("after"); len(got) != 0 {
		t.Fatalf("a rejected item was delivered: %v", got)
	}
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"sentinel"}`)
	if o := console.Next(pulsenode.Patience); !strings.Contains(string(o.Data), "sentinel") {
		t.Fatalf("a rejected alarm was delivered: %s", o.Raw)
	}
	status, env := n.Get("/api/v1/alarms", nil)
	var list struct{ Items []model.Alarm }
	if err := json.Unmarshal(env.Data, &list); status != 200 || err != nil || len(list.Items) != 1 || list.Items[0].BusinessId != "sentinel" {
		t.Fatalf("stored alarms: %d %s", status, env.Data)
	}
}
