package rowdata_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// itemTs is the ts of a row object.
func itemTs(t *testing.T, item json.RawMessage) int64 {
	t.Helper()
	var o struct{ Ts int64 }
	if err := json.Unmarshal(item, &o); err != nil {
		t.Fatalf("item %s: %v", item, err)
	}
	return o.Ts
}

// TestRowDataHistory: the history of a business holds what its dashboard received, byte for byte,
// oldest first; since keeps the items received at or after it; businessId * answers one series per
// id of the type, the most recently published first; the units come from rowdata.units; a
// business nothing was published to has an empty series; a bad query is 400.
func TestRowDataHistory(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.RowData.Units = map[string]string{"voltage": "V"} })
	dashboard := n.Dial("/ws/rowdata/meter/m-1/ann")
	n.WaitConnections(1, 0)
	for _, p := range []struct {
		key string
		v   int
	}{{"meter/m-1", 1}, {"meter/m-1", 2}, {"pump/p-1", 3}, {"meter/m-1", 4}, {"meter/m-2", 5}} {
		typ, id, _ := strings.Cut(p.key, "/")
		n.MustPost("/api/v1/rowdata", fmt.Sprintf(`{"businessType":%q,"businessId":%q,"data":{"voltage":%d}}`, typ, id, p.v))
	}
	var received []string
	for range 3 {
		received = append(received, string(dashboard.Next(pulsenode.Patience).Raw))
	}

	var got pulsenode.RowHistory
	poll.Eventually(t, func() bool {
		_, _, got = pulsenode.History(t, n, "meter", "*", -1, nil)
		return len(got.Series) == 2
	}, "meter/m-1 and meter/m-2 in the history")
	if s := got.Series; s[0].BusinessId != "m-2" || s[1].BusinessId != "m-1" || len(s[0].Items) != 1 || len(s[1].Items) != 3 {
		t.Fatalf("meter/*: %+v, want m-2 (1 item) then m-1 (3 items)", got.Series)
	}
	if got.Units["voltage"] != "V" || len(got.Units) != 1 {
		t.Errorf("units %v, want voltage: V", got.Units)
	}

	status, env, one := pulsenode.History(t, n, "meter", "m-1", -1, nil)
	if status != 200 || len(one.Series) != 1 || one.Series[0].BusinessType != "meter" || one.Series[0].BusinessId != "m-1" {
		t.Fatalf("meter/m-1: %d %+v", status, env)
	}
	items := one.Series[0].Items
	for i := range received {
		if i >= len(items) || string(items[i]) != received[i] {
			t.Fatalf("meter/m-1's history %s, want what its dashboard received, in order: %s", items, received)
		}
	}

	first, last := itemTs(t, items[0]), itemTs(t, items[2])
	for _, tc := range []struct {
		since int64
		want  int
	}{{0, 3}, {first, 3}, {last + 1, 0}} {
		if _, _, h := pulsenode.History(t, n, "meter", "m-1", tc.since, nil); len(h.Series) != 1 || len(h.Series[0].Items) != tc.want {
			t.Errorf("since %d: %+v, want %d items", tc.since, h.Series, tc.want)
		}
	}
	_, _, h := pulsenode.History(t, n, "meter", "m-1", last, nil)
	if s := h.Series[0].Items; len(s) == 0 || string(s[len(s)-1]) != received[2] {
		t.Errorf("since the last item's ts: %s, want it last", s)
	}
	for _, item := range h.Series[0].Items {
		if itemTs(t, item) < last {
			t.Errorf("since %d: item %s received before it", last, item)
		}
	}

	if status, _, h := pulsenode.History(t, n, "valve", "v-1", -1, nil); status != 200 || len(h.Series) != 1 || h.Series[0].BusinessId != "v-1" || len(h.Series[0].Items) != 0 {
		t.Errorf("a business without row data: %d %+v, want one empty series", status, h.Series)
	}
	if status, _, h := pulsenode.History(t, n, "valve", "*", -1, nil); status != 200 || len(h.Series) != 0 {
		t.Errorf("a type without row data: %d %+v, want no series", status, h.Series)
	}

	for _, q := range []string{"", "?businessType=meter", "?businessId=m-1", "?businessType=meter&businessId=m-1&since=x",
		"?businessType=meter&businessId=m-1&since=-1", "?businessType=*&businessId=*", "?businessType=meter&businessId=m-1&limit=5",
		"?businessType=meter&businessId=" + strings.Repeat("x", 129)} {
		status, env, _ := n.Call(http.MethodGet, "/api/v1/rowdata/history"+q, nil, "")
		if status != 400 || env.Code != consts.CodeInvalidInput.Code() || env.Message == "" {
			t.Errorf("GET /api/v1/rowdata/history%s: %d %+v, want 400 saying why", q, status, env)
		}
	}
}

// TestRowDataHistoryScope: with auth on, the history needs a token whose rowdata patterns cover
// what is asked for, as a dashboard's door does: a business by its own pattern, its type's or
// "*"; a whole type only by the type's or "*".
func TestRowDataHistoryScope(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	for _, k := range []string{"meter/m-1", "pump/p-1"} {
		typ, id, _ := strings.Cut(k, "/")
		body := fmt.Sprintf(`{"businessType":%q,"businessId":%q,"data":{"v":1}}`, typ, id)
		if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {pulsenode.IngestKey("broadcaster")}}, body); status != 200 {
			t.Fatalf("publish %s: %d %+v", k, status, env)
		}
	}
	all := pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{RowData: []string{"*"}}))
	poll.Eventually(t, func() bool {
		_, _, h := pulsenode.History(t, n, "pump", "p-1", -1, all)
		return len(h.Series) == 1 && len(h.Series[0].Items) == 1
	}, "pump/p-1's item in the history")

	for _, tc := range []struct {
		patterns []string
		key      string
		want     int
	}{
		{[]string{"meter/*"}, "meter/m-1", 200}, {[]string{"meter/*"}, "meter/*", 200},
		{[]string{"meter/*"}, "pump/p-1", 403}, {[]string{"meter/*"}, "pump/*", 403},
		{[]string{"meter/m-1"}, "meter/m-1", 200}, {[]string{"meter/m-1"}, "meter/*", 403},
		{[]string{"meter/m-1"}, "meter/m-2", 403}, {[]string{"*"}, "pump/*", 200},
	} {
		typ, id, _ := strings.Cut(tc.key, "/")
		status, env, h := pulsenode.History(t, n, typ, id, -1, pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{RowData: tc.patterns})))
		if status != tc.want || (status == 403 && env.Code != consts.CodeForbidden.Code()) {
			t.Errorf("%s as %v: %d %+v, want %d", tc.key, tc.patterns, status, env, tc.want)
		}
		if status == 200 && (len(h.Series) != 1 || len(h.Series[0].Items) != 1) {
			t.Errorf("%s as %v: %+v, want one series of one item", tc.key, tc.patterns, h.Series)
		}
	}
	if status, env, _ := pulsenode.History(t, n, "meter", "m-1", -1, pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: []string{"*"}}))); status != 403 {
		t.Errorf("a token without rowdata patterns: %d %+v, want 403", status, env)
	}
	status, env, _ := pulsenode.History(t, n, "meter", "m-1", -1, nil)
	if status != 401 || env.Code != consts.CodeNotAuthorized.Code() {
		t.Errorf("no token: %d %+v, want 401", status, env)
	}
}
