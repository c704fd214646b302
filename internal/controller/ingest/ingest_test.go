package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestIngestBadInput: every kind of bad body gets 400 (or 413) with {code,message} naming the
// problem, never a 500, and nothing is delivered.
func TestIngestBadInput(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.Ingest.MaxBodySize = 64 << 10 })
	watcher := n.Dial(pulsenode.RowPath("meter", "*", "w"))
	console := n.Dial("/ws/alarm")
	n.WaitConnections(1, 1)

	long := strings.Repeat("x", 129)
	items := func(k int) string {
		return `{"items":[` + strings.TrimSuffix(strings.Repeat(`{"businessType":"meter","businessId":"m"},`, k), ",") + `]}`
	}
	cases := []struct {
		path, body string
		status     int
		mention    string
	}{
		{"/api/v1/rowdata", ``, 400, "body"},
		{"/api/v1/rowdata", `not json`, 400, "body"},
		{"/api/v1/rowdata", `{"businessType":"meter"`, 400, "body"},
		{"/api/v1/rowdata", `[{"businessType":"meter"}]`, 400, "body"},
		{"/api/v1/rowdata", `"meter"`, 400, "body"},
		{"/api/v1/rowdata", `{"businessType":"meter","businesId":"m-1"}`, 400, `unknown field "businesId"`},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","time":"now"}`, 400, "time"},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","time":1.5}`, 400, "time"},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","time":-1}`, 400, "time"},
		{"/api/v1/rowdata", `{"businessType":7}`, 400, "businessType"},
		{"/api/v1/rowdata", `{"businessType":"` + long + `"}`, 400, "businessType"},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"a\u0001b"}`, 400, "control"},
		{"/api/v1/rowdata", `{"businessType":"meter","businessId":"*"}`, 400, "businessId"},
		{"/api/v1/rowdata", `{"businessType":"*"}`, 400, "businessType"},
		{"/api/v1/rowdata", `{"businessId":"m-1"}`, 400, "businessId"},
		{"/api/v1/rowdata", `{"businessType":"meter"} {"x":1}`, 400, "body"},
		{"/api/v1/rowdata", `{"items":[]}`, 400, "items"},
		{"/api/v1/rowdata", `{"items":{}}`, 400, "items"},
		{"/api/v1/rowdata", `{"items":[1]}`, 400, "items[0]"},
		{"/api/v1/rowdata", `{"items":[{"businessType":"meter"}],"extra":1}`, 400, "extra"},
		{"/api/v1/rowdata", items(1001), 400, "1000"},
		{"/api/v1/rowdata", `{"businessType":"meter","data":"` + strings.Repeat("y", 70<<10) + `"}`, 413, "body"},
		{"/api/v1/alarm", `{"businessType":"meter","title":"no id"}`, 400, "businessId: must not be empty"},
		{"/api/v1/alarm", `{"businessId":"m-1","title":"no type"}`, 400, "businessType: must not be empty"},
		{"/api/v1/alarm", `{"items":[{"businessType":"meter","businessId":"ok"},{"businessId":"m-2"}]}`, 400, "items[1].businessType: must not be empty"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","level":"urgent"}`, 400, "level"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","title":"` + strings.Repeat("t", 513) + `"}`, 400, "title"},
		{"/api/v1/alarm", `{"items":[{"businessType":"meter","businessId":"ok"},{"businessType":"meter","businessId":"ok","level":"loud"}]}`, 400, "items[1].level"},
		{"/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","time":"noon"}`, 400, "time"},
		{"/api/v1/nothing", `{}`, 404, "no such endpoint"},
	}
	for _, tc := range cases {
		status, env := n.Post(tc.path, tc.body)
		if status != tc.status || env.Code == 0 || !strings.Contains(env.Message, tc.mention) {
			t.Errorf("POST %s %.60q: got %d %+v, want %d mentioning %q", tc.path, tc.body, status, env, tc.status, tc.mention)
		}
	}
	if status, env := n.Get("/api/v1/rowdata", nil); status != 405 || env.Code == 0 {
		t.Errorf("GET on an ingest endpoint: %d %+v", status, env)
	}

	// Nothing of the above reached a client.
	n.Marker("after")
	if got := watcher.ReceivedUntilMarker("after"); len(got) != 0 {
		t.Fatalf("a rejected item was delivered: %v", got)
	}
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"sentinel"}`)
	if o := console.Next(pulsenode.Patience); !strings.Contains(string(o.Data), "sentinel") {
		t.Fatalf("a rejected alarm was delivered: %s", o.Raw)
	}
}

// TestAlarmIngest: every console receives every alarm; seq increases; receipts follow the request.
func TestAlarmIngest(t *testing.T) {
	n := pulsenode.Start(t, nil)
	consoles := []*pulsenode.Client{n.Dial("/ws/alarm"), n.Dial("/ws/alarm")}
	n.WaitConnections(0, 2)

	env := n.MustPost("/api/v1/alarm", `{"items":[
		{"alarmId":"a-17","businessType":"meter","businessId":"m-001","level":"critical","title":"Over-voltage","content":"262 V","data":{"v":262}},
		{"businessType":"line","businessId":"line-3"}]}`)
	var res struct {
		Accepted int                  `json:"accepted"`
		Items    []model.AlarmReceipt `json:"items"`
	}
	if err := json.Unmarshal(env.Data, &res); err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Items[0].AlarmId != "a-17" || res.Items[1].AlarmId == "" || res.Items[1].Seq != res.Items[0].Seq+1 {
		t.Fatalf("receipts %+v", res)
	}
	env = n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"m-2","level":"info"}`)
	var one struct{ Items []model.AlarmReceipt }
	_ = json.Unmarshal(env.Data, &one)
	if len(one.Items) != 1 || one.Items[0].Seq != res.Items[1].Seq+1 {
		t.Fatalf("seq does not increase: %+v after %+v", one.Items, res.Items)
	}

	for _, c := range consoles {
		var seqs []int64
		for range 3 {
			o := c.Next(pulsenode.Patience)
			var a model.AlarmBusinessData
			_ = json.Unmarshal(o.Data, &a)
			if o.Type != "alarm" || a.Level == "" || a.AlarmId == "" || a.Time == 0 {
				t.Fatalf("alarm message %s", o.Raw)
			}
			seqs = append(seqs, o.Seq)
		}
		if fmt.Sprint(seqs) != fmt.Sprint([]int64{res.Items[0].Seq, res.Items[1].Seq, one.Items[0].Seq}) {
			t.Fatalf("console saw seqs %v", seqs)
		}
	}
}

// TestGoAPI: the in-process API delivers, validates like HTTP and returns errors.
func TestGoAPI(t *testing.T) {
	n := pulsenode.Start(t, nil)
	dash := n.Dial(pulsenode.RowPath("line", "l-1", "u"))
	console := n.Dial("/ws/alarm")
	n.WaitConnections(1, 1)
	ctx := context.Background()

	if err := ingest.SendRowDataBusinessData(ctx, model.BusinessData{BusinessType: "line", BusinessId: "l-1", Data: json.RawMessage(`{"n":"go"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := ingest.SendRowDataBusinessData(ctx, model.BusinessData{BusinessId: "l-1"}); err == nil || !strings.Contains(err.Error(), "businessId") {
		t.Fatalf("an id without a type: %v", err)
	}
	if err := ingest.SendRowDataBusinessData(ctx, model.BusinessData{BusinessType: "line", Data: json.RawMessage(`{broken`)}); err == nil {
		t.Fatal("invalid JSON data was accepted")
	}
	if err := ingest.SendAlarmBusinessData(ctx, model.AlarmBusinessData{BusinessType: "meter", Level: "warning"}); err == nil {
		t.Fatal("an alarm without businessId was accepted")
	}
	if err := ingest.SendAlarmBusinessData(ctx, model.AlarmBusinessData{BusinessType: "meter", BusinessId: "l-1", Title: "from go"}); err != nil {
		t.Fatal(err)
	}
	n.Marker("m")
	if got := dash.ReceivedUntilMarker("m"); fmt.Sprint(got) != "[go]" {
		t.Fatalf("dashboard received %v", got)
	}
	if o := console.Next(pulsenode.Patience); !strings.Contains(string(o.Data), "from go") {
		t.Fatalf("console received %s", o.Raw)
	}
	_ = http.StatusOK
}

// TestAnswersSayTheirLength: API answers, accepted and refused, come whole with a Content-Length
// that is their body's length (not chunked), so a client reads each on a kept-alive connection.
func TestAnswersSayTheirLength(t *testing.T) {
	n := pulsenode.Start(t, nil)
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{http.MethodPost, "/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"v":1}}`, http.StatusOK},
		{http.MethodPost, "/api/v1/alarm", `{"items":[{"businessType":"meter","businessId":"m-1"},{"businessType":"meter","businessId":"m-2","level":"major"}]}`, http.StatusOK},
		{http.MethodPost, "/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","level":"fatal"}`, http.StatusBadRequest},
		{http.MethodGet, "/api/v1/alarms?status=active&limit=10", "", http.StatusOK},
		{http.MethodGet, "/api/v1/nothing", "", http.StatusNotFound},
		{http.MethodGet, "/healthz", "", http.StatusOK},
	} {
		req, err := http.NewRequest(tc.method, n.Base+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.status || len(resp.TransferEncoding) != 0 || resp.ContentLength != int64(len(body)) ||
			!json.Valid(body) {
			t.Errorf("%s %s: %d, transfer encoding %v, Content-Length %d for %d bytes: %s",
				tc.method, tc.path, resp.StatusCode, resp.TransferEncoding, resp.ContentLength, len(body), body)
		}
	}
}
