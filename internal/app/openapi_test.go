package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// apiCase is one real request and the status it must get; its answer is checked against the
// description.
type apiCase struct {
	name        string
	method      string
	path        string
	contentType string // application/json when there is a body and it is empty
	body        string
	header      http.Header
	want        int
	// undeclared: the status is answered by the default response (405: a method the path has
	// not; it is no operation's).
	undeclared bool
}

// describedAPI loads n's /api.json, validates it as OpenAPI 3 and returns it with a router.
func describedAPI(t *testing.T, n *pulsenode.Node) (*openapi3.T, routers.Router) {
	t.Helper()
	resp, err := http.Get(n.Base + "/api.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("/api.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("/api.json is not valid OpenAPI 3: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: n.Base}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// checkAnswers sends each case to n and checks its answer against the description: the status
// the case wants, declared by the operation (not left to the default answer), and a body and
// headers of the declared schema. A request that succeeds must also be one the description
// allows.
func checkAnswers(t *testing.T, n *pulsenode.Node, router routers.Router, cases []apiCase) {
	t.Helper()
	ctx := context.Background()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, n.Base+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		contentType := c.contentType
		if contentType == "" && c.body != "" {
			contentType = "application/json"
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for k, v := range c.header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %s %s answered %d %s, want %d", c.name, c.method, c.path, resp.StatusCode, raw, c.want)
			continue
		}
		// The route is found on the request as sent (its body read again for the request check).
		req.Body = io.NopCloser(strings.NewReader(c.body))
		route, params, err := router.FindRoute(req)
		if c.undeclared {
			if err == nil {
				if _, ok := route.Operation.Responses.Map()[fmt.Sprint(c.want)]; ok {
					t.Errorf("%s: %d is declared, but the case says it is not", c.name, c.want)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %s %s is not in the description: %v", c.name, c.method, c.path, err)
			continue
		}
		if route.Operation.Responses.Status(c.want) == nil {
			t.Errorf("%s: %s %s answered %d, which the description does not declare", c.name, c.method, route.Path, c.want)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if c.want == http.StatusOK {
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s: the request succeeded, but the description refuses it: %v", c.name, err)
			}
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
			Header: resp.Header, Body: io.NopCloser(bytes.NewReader(raw)), Options: opts}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s: %s %s answered %d %s, not as described: %v", c.name, c.method, c.path, resp.StatusCode, raw, err)
		}
	}
}

// TestAPIDescription: /api.json is valid OpenAPI 3 with a title and a version, and every
// endpoint's real answers, successes and refusals, are as it declares them.
func TestAPIDescription(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.Ingest.MaxBodySize = 64 << 10 })
	doc, router := describedAPI(t, n)
	if doc.Info.Title != "Pulse" || doc.Info.Version == "" {
		t.Errorf("info: title %q version %q, want Pulse and a version", doc.Info.Title, doc.Info.Version)
	}
	var receipt struct {
		Items []struct{ AlarmId string }
	}
	env := n.MustPost("/api/v1/alarm", `{"alarmId":"a-1","businessType":"meter","businessId":"m-1","level":"critical","title":"Over-voltage","data":{"voltage":262,"phases":[1,2]}}`)
	if err := json.Unmarshal(env.Data, &receipt); err != nil || len(receipt.Items) != 1 {
		t.Fatalf("alarm receipt %s: %v", env.Data, err)
	}
	n.MustPost("/api/v1/alarm", `{"alarmId":"a-cleared","businessType":"meter","businessId":"m-2"}`)
	n.MustPost("/api/v1/alarms/a-cleared/clear", `{}`)
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"v":1}}`)
	poll.Eventually(t, func() bool {
		_, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses", nil)
		return len(items) == 1
	}, "the business listed")

	big := `{"businessType":"meter","businessId":"m-1","data":"` + strings.Repeat("x", 70<<10) + `"}`
	checkAnswers(t, n, router, []apiCase{
		{name: "row data", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"meter","businessId":"m-1","time":1732250000123,"data":{"voltage":229.8}}`, want: 200},
		{name: "row data batch", method: "POST", path: "/api/v1/rowdata", body: `{"items":[{"businessType":"meter","businessId":"m-1","data":1},{"businessType":"meter","data":[1,2]}]}`, want: 200},
		{name: "row data, empty batch", method: "POST", path: "/api/v1/rowdata", body: `{"items":[]}`, want: 400},
		{name: "row data, unknown field", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"meter","value":1}`, want: 400},
		{name: "row data, query", method: "POST", path: "/api/v1/rowdata?x=1", body: `{}`, want: 400},
		{name: "row data, not JSON", method: "POST", path: "/api/v1/rowdata", contentType: "text/plain", body: "v=1", want: 415},
		{name: "row data, too large", method: "POST", path: "/api/v1/rowdata", body: big, want: 413},
		{name: "row data, GET", method: "GET", path: "/api/v1/rowdata", want: 405, undeclared: true},
		{name: "alarm", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"meter","businessId":"m-1","level":"major","title":"t","content":"c","data":{"a":{"b":[1]}}}`, want: 200},
		{name: "alarm batch", method: "POST", path: "/api/v1/alarm", body: `{"items":[{"businessType":"meter","businessId":"m-1"},{"alarmId":"a-2","businessType":"meter","businessId":"m-2","level":"info"}]}`, want: 200},
		{name: "alarm, bad level", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"meter","businessId":"m-1","level":"fatal"}`, want: 400},
		{name: "alarm, no body", method: "POST", path: "/api/v1/alarm", contentType: "application/json", want: 400},
		{name: "alarms", method: "GET", path: "/api/v1/alarms", want: 200},
		{name: "alarms, active, limit", method: "GET", path: "/api/v1/alarms?status=active&limit=2", want: 200},
		{name: "alarms, bad status", method: "GET", path: "/api/v1/alarms?status=gone", want: 400},
		{name: "alarms, unknown parameter", method: "GET", path: "/api/v1/alarms?user=x", want: 400},
		{name: "ack", method: "POST", path: "/api/v1/alarms/a-1/ack", body: `{"user":"alice"}`, want: 200},
		{name: "ack, no user", method: "POST", path: "/api/v1/alarms/a-1/ack", body: `{}`, want: 400},
		{name: "ack, unknown alarm", method: "POST", path: "/api/v1/alarms/a-none/ack", body: `{"user":"alice"}`, want: 404},
		{name: "ack, cleared alarm", method: "POST", path: "/api/v1/alarms/a-cleared/ack", body: `{"user":"alice"}`, want: 409},
		{name: "ack, unknown field", method: "POST", path: "/api/v1/alarms/a-1/ack", body: `{"user":"alice","note":"x"}`, want: 400},
		{name: "clear", method: "POST", path: "/api/v1/alarms/a-1/clear", contentType: "application/json", want: 200},
		{name: "clear, unknown alarm", method: "POST", path: "/api/v1/alarms/a-none/clear", body: `{}`, want: 404},
		{name: "clear, a user", method: "POST", path: "/api/v1/alarms/a-1/clear", body: `{"user":"alice"}`, want: 200},
		{name: "clear, unknown field", method: "POST", path: "/api/v1/alarms/a-1/clear", body: `{"note":"x"}`, want: 400},
		{name: "events", method: "GET", path: "/api/v1/alarms/a-1/events", want: 200},
		{name: "events, limit", method: "GET", path: "/api/v1/alarms/a-1/events?limit=1", want: 200},
		{name: "events, unknown alarm", method: "GET", path: "/api/v1/alarms/a-none/events", want: 404},
		{name: "events, limit 0", method: "GET", path: "/api/v1/alarms/a-1/events?limit=0", want: 400},
		{name: "businesses", method: "GET", path: "/api/v1/businesses", want: 200},
		{name: "businesses, limit too large", method: "GET", path: "/api/v1/businesses?limit=10001", want: 400},
		{name: "healthz", method: "GET", path: "/healthz", want: 200},
		{name: "readyz", method: "GET", path: "/readyz", want: 200},
	})
	// The canonical paths, a source's clear, the reserved type, and an id of two businesses.
	n.MustPost("/api/v1/alarm", `{"alarmId":"a-3","businessType":"meter","businessId":"m-1"}`)
	checkAnswers(t, n, router, []apiCase{
		{name: "ack in full", method: "POST", path: "/api/v1/alarms/meter/m-1/a-3/ack", body: `{"user":"alice"}`, want: 200},
		{name: "ack in full, unknown alarm", method: "POST", path: "/api/v1/alarms/meter/m-9/a-3/ack", body: `{"user":"alice"}`, want: 404},
		{name: "events in full", method: "GET", path: "/api/v1/alarms/meter/m-1/a-3/events?limit=10", want: 200},
		{name: "events in full, unknown alarm", method: "GET", path: "/api/v1/alarms/meter/m-9/a-3/events", want: 404},
		{name: "clear in full", method: "POST", path: "/api/v1/alarms/meter/m-1/a-3/clear", body: `{"user":"carol"}`, want: 200},
		{name: "clear in full, empty body", method: "POST", path: "/api/v1/alarms/meter/m-1/a-3/clear", contentType: "application/json", want: 200},
		{name: "clear in full, unknown alarm", method: "POST", path: "/api/v1/alarms/meter/m-9/a-3/clear", body: `{}`, want: 404},
		{name: "ack in full, cleared alarm", method: "POST", path: "/api/v1/alarms/meter/m-1/a-3/ack", body: `{"user":"alice"}`, want: 409},
		{name: "alarm, a source's clear", method: "POST", path: "/api/v1/alarm", body: `{"alarmId":"a-3","businessType":"meter","businessId":"m-1","action":"clear"}`, want: 200},
		{name: "alarm, a source's clear of an unknown alarm", method: "POST", path: "/api/v1/alarm", body: `{"alarmId":"a-none","businessType":"meter","businessId":"m-1","action":"clear"}`, want: 200},
		{name: "alarm, bad action", method: "POST", path: "/api/v1/alarm", body: `{"alarmId":"a-3","businessType":"meter","businessId":"m-1","action":"resolve"}`, want: 400},
		{name: "alarm, reserved type", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"pulse","businessId":"notify"}`, want: 403},
		{name: "row data, reserved type", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"pulse","businessId":"notify"}`, want: 403},
		{name: "alarm, a-3 of another business", method: "POST", path: "/api/v1/alarm", body: `{"alarmId":"a-3","businessType":"meter","businessId":"m-2"}`, want: 200},
		{name: "ack, ambiguous id", method: "POST", path: "/api/v1/alarms/a-3/ack", body: `{"user":"alice"}`, want: 409},
		{name: "clear, ambiguous id", method: "POST", path: "/api/v1/alarms/a-3/clear", body: `{}`, want: 409},
		{name: "events, ambiguous id", method: "GET", path: "/api/v1/alarms/a-3/events", want: 409},
	})
}

// TestAPIDescriptionAuth: with auth on, the refusals of credentials are as described.
func TestAPIDescriptionAuth(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	_, router := describedAPI(t, n)
	viewer := pulsenode.Bearer(pulsenode.Token(t, "viewer", pulsenode.Grants{Alarms: []string{"meter/*"}}))
	nobody := pulsenode.Bearer(pulsenode.Token(t, "nobody", pulsenode.Grants{}))
	n.Call("POST", "/api/v1/alarm", http.Header{"X-Api-Key": {pulsenode.IngestKey("all-alarms")}}, `{"alarmId":"a-1","businessType":"meter","businessId":"m-1"}`)
	cases := []apiCase{
		{name: "row data, no key", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"meter","businessId":"m-1"}`, want: 401},
		{name: "row data, bad key", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"meter","businessId":"m-1"}`, header: pulsenode.Bearer("not-a-key"), want: 401},
		{name: "row data, key in X-API-Key", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"meter","businessId":"m-1"}`, header: http.Header{"X-Api-Key": {pulsenode.IngestKey("meter-rows")}}, want: 200},
		{name: "row data, business not covered", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"pump","businessId":"p-1"}`, header: pulsenode.Bearer(pulsenode.IngestKey("meter-rows")), want: 403},
		{name: "alarm, no key", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"meter","businessId":"m-1"}`, want: 401},
		{name: "alarm, key without alarms", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"meter","businessId":"m-1"}`, header: pulsenode.Bearer(pulsenode.IngestKey("meter-rows")), want: 403},
		{name: "alarms, no token", method: "GET", path: "/api/v1/alarms", want: 401},
		{name: "alarms, viewer", method: "GET", path: "/api/v1/alarms", header: viewer, want: 200},
		{name: "alarms, token without alarms", method: "GET", path: "/api/v1/alarms", header: nobody, want: 403},
		{name: "ack, token without ack", method: "POST", path: "/api/v1/alarms/a-1/ack", body: `{}`, header: viewer, want: 403},
		{name: "clear, no token", method: "POST", path: "/api/v1/alarms/a-1/clear", contentType: "application/json", want: 401},
		{name: "events, token without alarms", method: "GET", path: "/api/v1/alarms/a-1/events", header: nobody, want: 404},
		{name: "events in full, token without alarms", method: "GET", path: "/api/v1/alarms/meter/m-1/a-1/events", header: nobody, want: 404},
		{name: "ack in full, token without ack", method: "POST", path: "/api/v1/alarms/meter/m-1/a-1/ack", body: `{}`, header: viewer, want: 403},
		{name: "clear in full, token without ack", method: "POST", path: "/api/v1/alarms/meter/m-1/a-1/clear", body: `{}`, header: viewer, want: 403},
		{name: "clear in full, out of scope", method: "POST", path: "/api/v1/alarms/pump/p-7/a-1/clear", body: `{}`, header: viewer, want: 404},
		{name: "alarm, reserved type with a key for everything", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"pulse","businessId":"notify"}`, header: http.Header{"X-Api-Key": {pulsenode.IngestKey("all-alarms")}}, want: 403},
		{name: "businesses, token without row data", method: "GET", path: "/api/v1/businesses", header: nobody, want: 403},
		{name: "healthz needs nothing", method: "GET", path: "/healthz", want: 200},
	}
	checkAnswers(t, n, router, cases)
	// A key over its rate: its burst is spent, then 429 with Retry-After.
	slow := pulsenode.Bearer(pulsenode.IngestKey("slow-meter-1"))
	for i := 0; ; i++ {
		status, _, _ := n.Call("POST", "/api/v1/rowdata", slow, `{"businessType":"meter","businessId":"m-1"}`)
		if status == http.StatusTooManyRequests {
			break
		}
		if i == 100 {
			t.Fatal("slow-meter-1 never over its rate")
		}
	}
	checkAnswers(t, n, router, []apiCase{{name: "row data, key over its rate", method: "POST", path: "/api/v1/rowdata",
		body: `{"businessType":"meter","businessId":"m-1"}`, header: slow, want: 429}})
}

// TestAPIDescriptionUnavailable: a node whose alarm store is closed (as at shutdown) refuses
// changes with 503 as described.
func TestAPIDescriptionUnavailable(t *testing.T) {
	n := pulsenode.Start(t, nil)
	_, router := describedAPI(t, n)
	n.MustPost("/api/v1/alarm", `{"alarmId":"a-1","businessType":"meter","businessId":"m-1"}`)
	if err := n.Alarms.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkAnswers(t, n, router, []apiCase{
		{name: "alarm", method: "POST", path: "/api/v1/alarm", body: `{"businessType":"meter","businessId":"m-1"}`, want: 503},
		{name: "ack", method: "POST", path: "/api/v1/alarms/a-1/ack", body: `{"user":"alice"}`, want: 503},
		{name: "clear", method: "POST", path: "/api/v1/alarms/a-1/clear", contentType: "application/json", want: 503},
	})
}

// TestAPIDescriptionBusDown: a node whose bus (Redis) is down is not ready and refuses row data
// with 503, as described.
func TestAPIDescriptionBusDown(t *testing.T) {
	testsvc.EachDatabase(t, "pulse_apidoc_test", func(t *testing.T, link string) {
		redis := testsvc.StartPrivateRedis(t)
		n := pulsenode.Start(t, pulsenode.ClusterConfig(redis.Addr, link, pulsenode.Channel()))
		_, router := describedAPI(t, n)
		redis.Stop()
		poll.Eventually(t, func() bool { code, _ := n.Get("/readyz", nil); return code == http.StatusServiceUnavailable },
			"not ready without Redis")
		checkAnswers(t, n, router, []apiCase{
			{name: "readyz", method: "GET", path: "/readyz", want: 503},
			{name: "row data", method: "POST", path: "/api/v1/rowdata", body: `{"businessType":"meter","businessId":"m-1"}`, want: 503},
		})
	})
}
