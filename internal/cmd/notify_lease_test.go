package cmd_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestNotificationLeaseTakeover: two nodes (processes) share Redis and a database. The node that
// leased a notification is killed with SIGKILL while its receiver holds the request; when the
// lease runs out the other node sends it, with the same id, and only after the first sender's
// request had ended (at most one sender at a time).
func TestNotificationLeaseTakeover(t *testing.T) {
	testsvc.RequireRedis(t)
	bin := serverBinary(t)
	testsvc.EachDatabase(t, "pulse_cmd_lease", func(t *testing.T, link string) {
		var mu sync.Mutex
		var events []string // "start <id>", "end <id>" (the sender went away), "ok <id>"
		first := make(chan struct{})
		var n int
		release := make(chan struct{}) // ends a held request when the test ends
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Read the body: only then does the server watch the connection, and end the request's
			// context when its sender goes away.
			_, _ = io.Copy(io.Discard, r.Body)
			id := r.Header.Get("webhook-id")
			mu.Lock()
			n++
			call := n
			events = append(events, "start "+id)
			mu.Unlock()
			if call == 1 {
				close(first)
				select { // held until its sender is gone
				case <-r.Context().Done():
				case <-release:
				}
				mu.Lock()
				events = append(events, "end "+id)
				mu.Unlock()
				return
			}
			mu.Lock()
			events = append(events, "ok "+id)
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		defer recv.Close()
		defer close(release)
		extra := fmt.Sprintf("bus:\n  type: redis\n  channel: \"pulse-cmd-lease-%d\"\nredis:\n  default:\n    address: %q\n"+
			"database:\n  default:\n    link: %q\n", time.Now().UnixNano(), testsvc.RedisAddr, link) +
			"notify:\n  lease: \"6s\"\n  outlets:\n    - name: hook\n      type: webhook\n      url: \"" + recv.URL + "/hook\"\n" +
			"      secrets: [\"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"]\n" +
			"  routes:\n    - name: all\n      to: [hook]\n"
		nodeA := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Extra: extra})
		nodeB := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Extra: extra})
		addrA := nodeA.Addr
		nodes := map[string]*pulseproc.Process{nodeA.Addr: nodeA, nodeB.Addr: nodeB}
		postAlarm(t, addrA, `{"alarmId":"lease-1","businessType":"meter","businessId":"m-1","level":"critical"}`)
		select {
		case <-first:
		case <-time.After(poll.Patience):
			t.Fatal("no node sent the notification")
		}
		owner := leaseOwner(t, link)
		var holder string
		for addr := range nodes {
			if strings.Contains(owner, addr) {
				holder = addr
			}
		}
		if holder == "" {
			t.Fatalf("lease owner %q is neither node (%s, %s)", owner, nodeA.Addr, nodeB.Addr)
		}
		nodes[holder].Kill()
		sent := poll.Until(func() bool {
			mu.Lock()
			defer mu.Unlock()
			return strings.HasPrefix(events[len(events)-1], "ok ")
		})
		mu.Lock() // the receiver's handlers append to events under it
		defer mu.Unlock()
		if !sent {
			t.Fatalf("the other node did not send it: %v", events)
		}
		if len(events) != 4 || !strings.HasPrefix(events[1], "end ") || !strings.HasPrefix(events[2], "start ") {
			t.Fatalf("events %v: the second sender started before the first had gone", events)
		}
		id := strings.TrimPrefix(events[0], "start ")
		for _, e := range events {
			if !strings.HasSuffix(e, " "+id) {
				t.Errorf("events %v: the id changed", events)
			}
		}
	})
}

// leaseOwner is the lease owner of the one notification in the outbox of the store at link.
func leaseOwner(t *testing.T, link string) string {
	t.Helper()
	db, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var owner string
	poll.Eventually(t, func() bool {
		v, err := db.GetValue(context.Background(), "SELECT lease_owner FROM pulse_notify_outbox")
		owner = v.String()
		return err == nil && owner != ""
	}, "no lease in the outbox")
	return owner
}
