package alarm_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// eachStore runs test on a node over SQLite, then over MariaDB and PostgreSQL (testsvc).
func eachStore(t *testing.T, database string, test func(t *testing.T, n *pulsenode.Node)) {
	t.Run("sqlite", func(t *testing.T) { test(t, pulsenode.Start(t, nil)) })
	testsvc.EachDatabase(t, database, func(t *testing.T, link string) {
		test(t, pulsenode.Start(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} }))
	})
}

// listFixture raises a-0 .. a-29: even ones of meter, odd ones of pump, business id m-(i%3),
// critical every fifth (else major), lastTime 1000+10i up to a-19 and 1200 from a-20 on (ties);
// a few titles and contents to search. Then it acknowledges a-1 and a-2, and clears a-3 and a-4.
func listFixture(n *pulsenode.Node) {
	n.T.Helper()
	titles := map[int]string{7: "Voltage 50% over", 8: "Voltage 50x over", 9: "under_score", 10: "underXscore", 12: "ÉCLAIR"}
	var items []string
	for i := range 30 {
		typ, level, time := "pump", "major", 1000+10*i
		if i%2 == 0 {
			typ = "meter"
		}
		if i%5 == 0 {
			level = "critical"
		}
		if i >= 20 {
			time = 1200
		}
		title, content := titles[i], ""
		if title == "" {
			title = fmt.Sprint("alarm ", i)
		}
		if i == 11 {
			content = "coolant at HIGH Temp"
		}
		items = append(items, fmt.Sprintf(`{"alarmId":"a-%d","businessType":%q,"businessId":"m-%d","level":%q,"title":%q,"content":%q,"time":%d}`,
			i, typ, i%3, level, title, content, time))
	}
	n.Raise(`{"items":[` + strings.Join(items, ",") + `]}`)
	n.MustPost("/api/v1/alarms/pump/m-1/a-1/ack", `{"user":"ann"}`)
	n.MustPost("/api/v1/alarms/meter/m-2/a-2/ack", `{"user":"ann"}`)
	n.MustPost("/api/v1/alarms/pump/m-0/a-3/clear", `{"user":"ann"}`)
	n.MustPost("/api/v1/alarms/meter/m-1/a-4/clear", `{"user":"ann"}`)
}

// ids is a-i for each i.
func ids(is ...int) []string {
	out := make([]string, len(is))
	for j, i := range is {
		out[j] = fmt.Sprint("a-", i)
	}
	return out
}

// TestListFilters: GET /api/v1/alarms keeps the alarms that pass every filter given, newest
// lastTime first (the same lastTime: the one stored later first), on every database: status and
// level (one or a comma list), business (a pattern), q (a substring of title or content in any
// case, with % and _ taken literally), from and to (inclusive, on lastTime); a parameter it cannot
// read is 400.
func TestListFilters(t *testing.T) {
	eachStore(t, "pulse_list_filters", func(t *testing.T, n *pulsenode.Node) {
		listFixture(n)
		all := n.ListIds("limit=1000")
		want := ids(29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
		if !slices.Equal(all, want) {
			t.Fatalf("the whole list: %v, want newest lastTime first, ties the later stored first", all)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"status=cleared", ids(4, 3)},
			{"status=acked", ids(2, 1)},
			{"status=acked,cleared", ids(4, 3, 2, 1)},
			{"status=active&level=critical", ids(25, 20, 15, 10, 5, 0)},
			{"level=critical,minor&status=cleared,acked", nil},
			{"level=critical&business=meter/*", ids(20, 10, 0)},
			{"business=pump/m-1&to=1100", ids(7, 1)},
			{"business=*&from=1150&to=1190", ids(19, 18, 17, 16, 15)},
			{"from=1200&level=critical", ids(25, 20)},
			{"q=50%25", ids(7)},
			{"q=50", ids(8, 7)},
			{"q=under_score", ids(9)},
			{"q=high+temp", ids(11)},
			{"q=%C3%A9clair", ids(12)},
			{"q=%25", ids(7)},
			{"q=_", ids(9)},
			{"q=nothing+like+it", nil},
		} {
			if got := n.ListIds(c.query); !slices.Equal(got, c.want) {
				t.Errorf("?%s: %v, want %v", c.query, got, c.want)
			}
		}
		for _, query := range []string{"status=bogus", "status=active,", "level=fatal", "business=meter", "business=a/b/c",
			"from=yesterday", "to=1.5", "cursor=bm9wZQ", "cursor=%21", "limit=0", "limit=1001", "q=a%0Ab",
			"q=" + strings.Repeat("q", 129), "sort=asc", "status=active&status=acked"} {
			if status, env := n.Get("/api/v1/alarms?"+query, nil); status != http.StatusBadRequest || env.Code != 51 {
				t.Errorf("?%.40s: %d %+v, want 400", query, status, env)
			}
		}
	})
}

// TestListPages: the pages of GET /api/v1/alarms, each data.nextCursor passed to the next, cover
// the list exactly once and in its order, on every database, while new alarms are raised and
// alarms not yet read are acknowledged and cleared between pages (they keep their place); the last
// page has no nextCursor, also when it is full.
func TestListPages(t *testing.T) {
	eachStore(t, "pulse_list_pages", func(t *testing.T, n *pulsenode.Node) {
		listFixture(n)
		want := n.ListIds("limit=1000")
		var walk []string
		cursor, page := "", 0
		for {
			q := "limit=7"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			items, next := n.ListPage(q)
			for _, a := range items {
				walk = append(walk, a.AlarmId)
			}
			if next == "" {
				break
			}
			if len(items) != 7 {
				t.Fatalf("page %d holds %d alarms and a nextCursor", page, len(items))
			}
			// Between pages: new alarms (at the top, after the walk's start), and changes of
			// alarms further down, which do not move them.
			n.Raise(fmt.Sprintf(`{"alarmId":"new-%d","businessType":"meter","businessId":"m-0","time":%d}`, page, 5000+page))
			n.Raise(fmt.Sprintf(`{"alarmId":"tie-%d","businessType":"meter","businessId":"m-0","time":1200}`, page))
			later := want[min(len(want)-1, len(walk)+3)]
			var a model.Alarm
			for _, x := range n.List("limit=1000") {
				if x.AlarmId == later {
					a = x
				}
			}
			path := "/api/v1/alarms/" + a.BusinessType + "/" + a.BusinessId + "/" + a.AlarmId
			if page%2 == 0 && a.Status == "active" {
				n.MustPost(path+"/ack", `{"user":"bob"}`)
			} else {
				n.MustPost(path+"/clear", `{"user":"bob"}`)
			}
			cursor, page = next, page+1
		}
		if !slices.Equal(walk, want) {
			t.Fatalf("the walk read %v\nwant %v", walk, want)
		}

		items, next := n.ListPage("limit=10&status=active")
		if len(items) != 10 || next == "" {
			t.Fatalf("first page of the active: %d, %q", len(items), next)
		}
		total := len(items)
		for next != "" {
			items, next = n.ListPage("limit=10&status=active&cursor=" + url.QueryEscape(next))
			total += len(items)
		}
		if active := len(n.List("limit=1000&status=active")); total != active {
			t.Fatalf("the pages of the active alarms held %d, the list %d", total, active)
		}
	})
}

// TestListBusinessWithinScope: with auth on, the business filter is intersected with the token's
// alarms patterns: a pattern outside them lists nothing, a wider one lists what the token sees.
func TestListBusinessWithinScope(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	pulsenode.RaiseAs(t, n, "all-alarms", "a-m1", "meter", "m-1")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-m2", "meter", "m-2")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-p1", "pump", "p-1")
	meter1 := pulsenode.Bearer(pulsenode.Token(t, "maria", pulsenode.Grants{Alarms: []string{"meter/m-1", "pump/*"}}))
	for query, want := range map[string][]string{
		"business=meter/*":   {"a-m1"},
		"business=meter/m-2": nil,
		"business=*":         {"a-p1", "a-m1"},
		"business=pump/p-1":  {"a-p1"},
	} {
		status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms?"+query, meter1, "")
		var got []string
		for _, id := range []string{"a-p1", "a-m1", "a-m2"} {
			if strings.Contains(string(env.Data), `"alarmId":"`+id+`"`) {
				got = append(got, id)
			}
		}
		if status != http.StatusOK || !slices.Equal(got, want) {
			t.Errorf("?%s as meter/m-1 and pump/*: %d %v, want %v", query, status, got, want)
		}
	}
}
