package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/apiclient"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

const apiSnapshot = "../apiclient/api.json"

// TestAPIClientIsCurrent: the generated client was generated from what the server serves now.
func TestAPIClientIsCurrent(t *testing.T) {
	n := startNode(t, nil)
	resp, err := http.Get(n.base + "/api.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	committed, err := os.ReadFile(apiSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(served, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(committed, &b); err != nil {
		t.Fatal(err)
	}
	// info.version is the build's (buildinfo), not the API's shape.
	for _, doc := range []any{a, b} {
		if info, ok := doc.(map[string]any)["info"].(map[string]any); ok {
			delete(info, "version")
		}
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("internal/apiclient/api.json is not what /api.json serves: run make apiclient and commit the result")
	}
}

// TestGeneratedClient: a client generated from /api.json (oapi-codegen) publishes, lists,
// acknowledges and reads back through the real server; the list's alarm data decodes as the
// object that was sent.
func TestGeneratedClient(t *testing.T) {
	n := startNode(t, nil)
	ctx := context.Background()
	c, err := apiclient.NewClientWithResponses(n.base)
	if err != nil {
		t.Fatal(err)
	}
	var alarm apiclient.IngestAlarmJSONRequestBody
	id, typ, title := "a-1", "meter", "Over-voltage"
	if err := alarm.FromGithubComPulseMonitoringPulseInternalModelAlarmBusinessData(apiclient.GithubComPulseMonitoringPulseInternalModelAlarmBusinessData{
		AlarmId: &id, BusinessType: &typ, BusinessId: "m-1", Title: &title,
		Data: map[string]any{"voltage": 262, "phases": []int{1, 2}},
	}); err != nil {
		t.Fatal(err)
	}
	published, err := c.IngestAlarmWithResponse(ctx, nil, alarm)
	if err != nil || published.JSON200 == nil || published.JSON200.Data.Accepted != 1 {
		t.Fatalf("publish: %v %s", err, body(published))
	}

	list, err := c.AlarmListWithResponse(ctx, &apiclient.AlarmListParams{})
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v %s", err, body(list))
	}
	items := list.JSON200.Data.Items
	if len(items) != 1 || items[0].AlarmId != "a-1" {
		t.Fatalf("list: %s, want a-1", list.Body)
	}
	data, ok := items[0].Data.(map[string]any)
	if !ok || data["voltage"] != 262.0 || !reflect.DeepEqual(data["phases"], []any{1.0, 2.0}) {
		t.Errorf("alarm data decoded as %#v, want the object sent", items[0].Data)
	}

	user := "alice"
	acked, err := c.AlarmAckWithResponse(ctx, "a-1", apiclient.AlarmAckJSONRequestBody{User: &user})
	if err != nil || acked.JSON200 == nil || acked.JSON200.Data.AckedBy != "alice" {
		t.Fatalf("ack: %v %s", err, body(acked))
	}
	missing, err := c.AlarmAckWithResponse(ctx, "a-none", apiclient.AlarmAckJSONRequestBody{User: &user})
	if err != nil || missing.JSON404 == nil || missing.JSON404.Code != 65 {
		t.Fatalf("ack of an unknown alarm: %v %s, want 404 with code 65", err, body(missing))
	}
	events, err := c.AlarmEventsWithResponse(ctx, "a-1", nil)
	if err != nil || events.JSON200 == nil || len(events.JSON200.Data.Items) != 2 {
		t.Fatalf("events: %v %s, want raised and acked", err, body(events))
	}

	var rows apiclient.IngestRowDataJSONRequestBody
	m1, m2 := "m-1", "m-2"
	if err := rows.FromGithubComPulseMonitoringPulseApiIngestV1RowDataBatch(apiclient.GithubComPulseMonitoringPulseApiIngestV1RowDataBatch{Items: []apiclient.GithubComPulseMonitoringPulseInternalModelBusinessData{
		{BusinessType: &typ, BusinessId: &m1, Data: map[string]any{"v": 1}},
		{BusinessType: &typ, BusinessId: &m2, Data: 2},
	}}); err != nil {
		t.Fatal(err)
	}
	accepted, err := c.IngestRowDataWithResponse(ctx, nil, rows)
	if err != nil || accepted.JSON200 == nil || accepted.JSON200.Data.Accepted != 2 {
		t.Fatalf("row data batch: %v %s", err, body(accepted))
	}
	var listed []apiclient.GithubComPulseMonitoringPulseApiBusinessV1Business
	poll.Eventually(t, func() bool {
		list, err := c.BusinessListWithResponse(ctx, nil)
		if err != nil || list.JSON200 == nil {
			t.Fatalf("businesses: %v %s", err, body(list))
		}
		listed = list.JSON200.Data.Items
		return len(listed) == 2
	}, "both businesses listed")
	if listed[0].BusinessId != "m-2" || listed[1].BusinessId != "m-1" {
		t.Errorf("businesses %+v, want m-2 then m-1", listed)
	}
}

// body is a generated response's body, for failure messages.
func body(r interface{ StatusCode() int }) string {
	if reflect.ValueOf(r).IsNil() {
		return "(no response)"
	}
	b := reflect.ValueOf(r).Elem().FieldByName("Body").Bytes()
	return http.StatusText(r.StatusCode()) + " " + string(b)
}
