package cmd_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestNodeLoss: two nodes (separate processes) share Redis and a database. Consoles on node A
// follow the alarms posted to both; A is killed with SIGKILL while alarms keep arriving at B. Like
// a load balancer would, each console then reconnects to B with since = the last seq it saw, and
// ends up with every alarm, once and in order.
func TestNodeLoss(t *testing.T) {
	testsvc.RequireRedis(t)
	bin := serverBinary(t)
	testsvc.EachDatabase(t, "pulse_cmd_test", func(t *testing.T, link string) {
		extra := fmt.Sprintf("bus:\n  type: redis\n  channel: \"pulse-cmd-test-%d\"\nredis:\n  default:\n    address: %q\n"+
			"database:\n  default:\n    link: %q\n", time.Now().UnixNano(), testsvc.RedisAddr, link)
		addrA, addrB := pulseproc.FreeAddr(t), pulseproc.FreeAddr(t)
		nodeA := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Addr: addrA, Extra: extra})
		pulseproc.Start(t, &pulseproc.Process{Bin: bin, Addr: addrB, Extra: extra})
		for _, addr := range []string{addrA, addrB} {
			waitReady(t, addr)
		}

		const consoles = 3
		var (
			target      atomic.Int64 // the last seq answered 200, once posting has stopped
			reconnected sync.WaitGroup
			done        sync.WaitGroup
			errs        = make(chan error, consoles)
		)
		reconnected.Add(consoles)
		done.Add(consoles)
		for range consoles {
			go func() {
				defer done.Done()
				errs <- follow(addrA, addrB, &target, reconnected.Done)
			}()
		}

		var posted atomic.Int64
		stop := make(chan struct{})
		posting := make(chan error, 1)
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					posting <- nil
					return
				default:
				}
				seq, err := tryPostAlarm(addrB, fmt.Sprintf(`{"items":[{"alarmId":"l-%d","businessType":"meter","businessId":"m"},{"businessType":"meter","businessId":"m"}]}`, i%7))
				if err != nil {
					posting <- err
					return
				}
				posted.Store(seq)
				time.Sleep(2 * time.Millisecond)
			}
		}()
		poll.Eventually(t, func() bool { return posted.Load() >= 40 }, "alarms are not being posted")
		for range 5 {
			postAlarm(t, addrA, `{"businessType":"meter","businessId":"on-a"}`)
		}
		nodeA.Kill()
		reconnected.Wait()
		from := posted.Load()
		poll.Eventually(t, func() bool { return posted.Load() >= from+40 }, "alarms stopped after the kill")
		close(stop)
		if err := <-posting; err != nil {
			t.Fatal(err)
		}
		target.Store(posted.Load())
		postAlarm(t, addrB, `{"businessType":"meter","businessId":"marker"}`) // wakes consoles that already had the target
		finished := make(chan struct{})
		go func() { done.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(2 * patience):
			t.Fatalf("consoles did not get every alarm up to seq %d in %v", target.Load(), 2*patience)
		}
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// follow is one alarm console: it reads from addrA, and when that node goes away reconnects to
// addrB with since = the last seq it saw (calling reconnected once it has). It checks every event
// has the next seq and returns when it has seen target, or on the first thing wrong.
func follow(addrA, addrB string, target *atomic.Int64, reconnected func()) error {
	var last int64
	addr := addrA
	for attempt := 0; ; attempt++ {
		since := last
		ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://%s/ws/alarm?since=%d", addr, last), nil)
		if err != nil {
			if addr == addrB || attempt > 0 {
				return fmt.Errorf("console: dial %s: %v", addr, err)
			}
			addr = addrB
			continue
		}
		if addr == addrB {
			reconnected()
		}
		err = readAlarms(ws, &last, target)
		_ = ws.Close()
		if err == nil {
			return nil
		}
		if addr == addrB {
			return fmt.Errorf("console on the surviving node (since %d), after seq %d: %v", since, last, err)
		}
		addr = addrB // node A is gone: the load balancer sends the console to B
	}
}

// readAlarms reads alarm events, each with seq *last+1, until target is reached (nil) or the
// connection fails (the error).
func readAlarms(ws *websocket.Conn, last *int64, target *atomic.Int64) error {
	for {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			var o struct {
				Type string `json:"type"`
				Seq  int64  `json:"seq"`
			}
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				return fmt.Errorf("bad object %q", line)
			}
			switch {
			case o.Type == "synced":
			case o.Type != "alarm" || o.Seq != *last+1:
				return fmt.Errorf("after seq %d got %s: gap or duplicate", *last, line)
			default:
				*last = o.Seq
			}
		}
		if t := target.Load(); t > 0 && *last >= t {
			return nil
		}
	}
}

// waitReady waits until the node at addr answers /readyz with 200.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	poll.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, "node %s never became ready", addr)
}
