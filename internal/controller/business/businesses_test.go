package business_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// names is the items as "type/id", in order.
func names(items []pulsenode.Business) string {
	s := make([]string, len(items))
	for i, b := range items {
		s[i] = b.BusinessType + "/" + b.BusinessId
	}
	return strings.Join(s, " ")
}

// TestBusinesses: the keys row data was published to, most recent first, with the time of their
// latest publish; a publish to a whole type or to everyone is not a key; limit applies and is checked.
func TestBusinesses(t *testing.T) {
	n := pulsenode.Start(t, nil)
	if status, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses", nil); status != 200 || len(items) != 0 {
		t.Fatalf("before any publish: %d %v, want 200 and no items", status, items)
	}
	before := time.Now().UnixMilli()
	for _, k := range []string{"meter/m-1", "meter/m-2", "pump/p-1", "meter/m-1", "meter/", "/"} {
		typ, id, _ := strings.Cut(k, "/")
		n.MustPost("/api/v1/rowdata", fmt.Sprintf(`{"businessType":%q,"businessId":%q,"data":{"v":1}}`, typ, id))
	}
	var items []pulsenode.Business
	poll.Eventually(t, func() bool {
		_, _, items = pulsenode.Businesses(t, n, "/api/v1/businesses", nil)
		return len(items) == 3
	}, "three businesses listed")
	after := time.Now().UnixMilli()
	if got := names(items); got != "meter/m-1 pump/p-1 meter/m-2" {
		t.Errorf("businesses %s, want meter/m-1 pump/p-1 meter/m-2 (most recent first)", got)
	}
	for _, b := range items {
		if b.LastTime < before || b.LastTime > after {
			t.Errorf("%s/%s lastTime %d, want between %d and %d", b.BusinessType, b.BusinessId, b.LastTime, before, after)
		}
	}
	if _, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses?limit=1", nil); names(items) != "meter/m-1" {
		t.Errorf("limit=1: %s, want meter/m-1", names(items))
	}
	for _, q := range []string{"?limit=0", "?limit=10001", "?limit=x", "?type=meter"} {
		if status, env, _ := pulsenode.Businesses(t, n, "/api/v1/businesses"+q, nil); status != 400 || env.Code != consts.CodeInvalidInput.Code() {
			t.Errorf("GET /api/v1/businesses%s: %d %+v, want 400", q, status, env)
		}
	}
}

// TestBusinessesAuth: with auth on, the list needs a token and shows only what its rowdata
// patterns cover; a token without any is refused.
func TestBusinessesAuth(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	for _, k := range []string{"meter/m-1", "pump/p-1", "meter/m-2", "pump/p-2"} {
		typ, id, _ := strings.Cut(k, "/")
		body := fmt.Sprintf(`{"businessType":%q,"businessId":%q,"data":{"v":1}}`, typ, id)
		if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {pulsenode.IngestKey("broadcaster")}}, body); status != 200 {
			t.Fatalf("publish %s: %d %+v", k, status, env)
		}
	}
	all := pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{RowData: []string{"*"}}))
	poll.Eventually(t, func() bool {
		_, _, items := pulsenode.Businesses(t, n, "/api/v1/businesses", all)
		return len(items) == 4
	}, "four businesses listed")

	for _, tc := range []struct {
		g    pulsenode.Grants
		want string
	}{
		{pulsenode.Grants{RowData: []string{"meter/*"}}, "meter/m-2 meter/m-1"},
		{pulsenode.Grants{RowData: []string{"pump/p-1", "meter/m-2"}}, "meter/m-2 pump/p-1"},
		{pulsenode.Grants{RowData: []string{"*"}}, "pump/p-2 meter/m-2 pump/p-1 meter/m-1"},
		{pulsenode.Grants{RowData: []string{"valve/*"}}, ""},
	} {
		status, env, items := pulsenode.Businesses(t, n, "/api/v1/businesses", pulsenode.Bearer(pulsenode.Token(t, "ann", tc.g)))
		if status != 200 || names(items) != tc.want {
			t.Errorf("as %v: %d %+v %q, want %q", tc.g.RowData, status, env, names(items), tc.want)
		}
	}
	if status, env, items := pulsenode.Businesses(t, n, "/api/v1/businesses?limit=1", pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{RowData: []string{"meter/*"}}))); status != 200 || names(items) != "meter/m-2" {
		t.Errorf("limit=1 as meter/*: %d %+v %q, want meter/m-2", status, env, names(items))
	}
	if status, env, _ := pulsenode.Businesses(t, n, "/api/v1/businesses", pulsenode.Bearer(pulsenode.Token(t, "ann", pulsenode.Grants{Alarms: []string{"*"}}))); status != 403 || env.Code != consts.CodeForbidden.Code() {
		t.Errorf("a token without rowdata patterns: %d %+v, want 403", status, env)
	}
	status, env, h := n.Call(http.MethodGet, "/api/v1/businesses", nil, "")
	if status != 401 || env.Code != consts.CodeNotAuthorized.Code() || h.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("no token: %d %+v, want 401 with WWW-Authenticate: Bearer", status, env)
	}
	if status, _, _ := n.Call(http.MethodGet, "/api/v1/businesses", http.Header{"X-Api-Key": {pulsenode.IngestKey("broadcaster")}}, ""); status != 401 {
		t.Errorf("an ingest key instead of a token: %d, want 401", status)
	}
}
