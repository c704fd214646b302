package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// expectRows reads want values, in order, from c.
func expectRows(t *testing.T, who string, c *pulsenode.Client, want ...int) {
	t.Helper()
	for _, w := range want {
		if o := c.Next(pulsenode.Patience); pulsenode.RowValue(o) != w {
			t.Fatalf("%s: got %s, want i=%d", who, o.Raw, w)
		}
	}
}

// expectAlarms reads alarm events from c and checks their seqs are from..to, in order, once each.
func expectAlarms(t *testing.T, who string, c *pulsenode.Client, from, to int64) {
	t.Helper()
	for want := from; want <= to; want++ {
		o := c.Next(pulsenode.Patience)
		if o.Type != "alarm" || o.Seq != want {
			t.Fatalf("%s: got %s, want the alarm event with seq %d", who, o.Raw, want)
		}
	}
}

// TestClusterExactlyOnce: three nodes on one Redis and one database. Row data posted to any node
// reaches every matching dashboard on every node once, in order, and no other dashboard; alarms
// posted concurrently to all nodes get cluster-wide seqs 1..N, and every console on every node
// gets each of them once, in seq order.
func TestClusterExactlyOnce(t *testing.T) {
	testsvc.RequireRedis(t)
	eachAuth(t, func(t *testing.T, auth bool) { testClusterExactlyOnce(t, auth) })
}

// eachAuth runs test with auth off, then on.
func eachAuth(t *testing.T, test func(t *testing.T, auth bool)) {
	t.Run("auth off", func(t *testing.T) { test(t, false) })
	t.Run("auth on", func(t *testing.T) { test(t, true) })
}

func testClusterExactlyOnce(t *testing.T, auth bool) {
	testsvc.EachDatabase(t, "pulse_app_test", func(t *testing.T, link string) {
		nodes := pulsenode.StartCluster(t, 3, testsvc.RedisAddr, link, auth)
		type watchers struct{ one, all, other, console *pulsenode.Client }
		var w []watchers
		for _, nd := range nodes {
			w = append(w, watchers{
				one:     nd.Dial("/ws/rowdata/meter/m-1/u"),
				all:     nd.Dial("/ws/rowdata/meter/*/u"),
				other:   nd.Dial("/ws/rowdata/meter/m-2/u"),
				console: nd.Dial("/ws/alarm"),
			})
			nd.WaitConnections(3, 1)
		}

		const rows = 30
		for i := range rows {
			nodes[i%3].MustPost("/api/v1/rowdata", fmt.Sprintf(`{"businessType":"meter","businessId":"m-1","data":{"i":%d}}`, i))
		}
		const perNode, batch = 10, 2
		seen := make(map[int64]bool)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, nd := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perNode {
					code, env := nd.Post("/api/v1/alarm", `{"items":[{"businessType":"meter","businessId":"m-1"},{"businessType":"meter","businessId":"m-2"}]}`)
					var res struct{ Items []struct{ Seq int64 } }
					if code != http.StatusOK || json.Unmarshal(env.Data, &res) != nil || len(res.Items) != batch {
						t.Errorf("alarm post to %s: %d %s", nd.Base, code, env.Message)
						return
					}
					mu.Lock()
					for _, r := range res.Items {
						seen[r.Seq] = true
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		total := int64(len(nodes) * perNode * batch)
		for seq := int64(1); seq <= total; seq++ {
			if !seen[seq] {
				t.Fatalf("receipts: seq %d missing; seqs are not cluster-wide 1..%d: %v", seq, total, seen)
			}
		}
		// A marker after everything: whatever came twice would show up before it.
		nodes[2].MustPost("/api/v1/rowdata", `{"items":[{"businessType":"meter","businessId":"m-1","data":{"i":1000}},{"businessType":"meter","businessId":"m-2","data":{"i":2000}}]}`)
		want := make([]int, rows)
		for i := range want {
			want[i] = i
		}
		for i, ws := range w {
			who := fmt.Sprintf("node %d", i)
			expectRows(t, who+" meter/m-1", ws.one, append(want, 1000)...)
			expectRows(t, who+" meter/*", ws.all, append(want, 1000, 2000)...)
			expectRows(t, who+" meter/m-2", ws.other, 2000)
			expectAlarms(t, who+" console", ws.console, 1, total)
		}
	})
}

// TestClusterRedisOutage: Redis dies under two nodes. Row-data ingest answers 503 and readiness
// fails while alarms are still stored (200); when Redis is back every console on both nodes has
// every alarm once and in order, the nodes are ready again, and the clients connected before the
// outage were never dropped and get live data again.
func TestClusterRedisOutage(t *testing.T) {
	eachAuth(t, testClusterRedisOutage)
}

func testClusterRedisOutage(t *testing.T, auth bool) {
	testsvc.EachDatabase(t, "pulse_app_test", func(t *testing.T, link string) {
		redis := testsvc.StartPrivateRedis(t)
		nodes := pulsenode.StartCluster(t, 2, redis.Addr, link, auth)
		var dashes, consoles []*pulsenode.Client
		for _, nd := range nodes {
			dashes = append(dashes, nd.Dial("/ws/rowdata/meter/m-1/u"))
			consoles = append(consoles, nd.Dial("/ws/alarm"))
			nd.WaitConnections(1, 1)
		}
		nodes[0].MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"i":1}}`)
		for i, d := range dashes {
			expectRows(t, fmt.Sprintf("node %d before the outage", i), d, 1)
		}

		redis.Stop()
		for _, nd := range nodes {
			poll.Eventually(t, func() bool {
				code, env := nd.Get("/readyz", nil)
				return code == http.StatusServiceUnavailable && strings.Contains(env.Message, "bus")
			}, "node %s stayed ready without Redis", nd.Base)
			code, env := nd.Post("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"i":2}}`)
			if code != http.StatusServiceUnavailable || env.Code != 63 || env.Message == "" {
				t.Fatalf("row data without Redis: %d %+v, want 503 with code 63", code, env)
			}
			if m := nd.Scrape(); m.Value(t, "pulse_bus_up") != 0 || m.Value(t, "pulse_bus_publish_errors_total") < 1 {
				t.Fatalf("/metrics without Redis: pulse_bus_up %v, pulse_bus_publish_errors_total %v; want 0 and at least 1",
					m.Value(t, "pulse_bus_up"), m.Value(t, "pulse_bus_publish_errors_total"))
			}
		}
		const alarms = 10
		for i := range alarms {
			nodes[i%2].Raise(`{"businessType":"meter","businessId":"m-1","title":"during the outage"}`)
		}

		redis.Restart()
		for i, c := range consoles {
			expectAlarms(t, fmt.Sprintf("node %d console", i), c, 1, alarms)
		}
		for _, nd := range nodes {
			poll.Eventually(t, func() bool { code, _ := nd.Get("/readyz", nil); return code == http.StatusOK },
				"node %s not ready again after Redis came back", nd.Base)
			nd.WaitConnections(1, 1) // the same clients, still connected
			if m := nd.Scrape(); m.Value(t, "pulse_bus_up") != 1 || m.Value(t, "pulse_bus_resubscriptions_total") < 1 {
				t.Fatalf("/metrics after Redis came back: pulse_bus_up %v, pulse_bus_resubscriptions_total %v; want 1 and at least 1",
					m.Value(t, "pulse_bus_up"), m.Value(t, "pulse_bus_resubscriptions_total"))
			}
		}
		nodes[1].MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"i":3}}`)
		nodes[0].Raise(`{"businessType":"meter","businessId":"m-1","title":"after the outage"}`)
		for i := range nodes {
			expectRows(t, fmt.Sprintf("node %d after the outage", i), dashes[i], 3)
			expectAlarms(t, fmt.Sprintf("node %d console after the outage", i), consoles[i], alarms+1, alarms+1)
		}
	})
}
