package hub

import (
	"encoding/binary"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// untilClose reads the server's frames (pongs and messages are skipped) until a close frame, and
// returns its code and reason. It fails the test after limit without one: a generous bound for a
// close the test expects, not a measure of how fast it came.
func (c *rawClient) untilClose(limit time.Duration) (int, string) {
	c.t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		op, payload := c.next()
		if op != websocket.CloseMessage {
			continue
		}
		if len(payload) < 2 {
			return websocket.CloseNoStatusReceived, ""
		}
		return int(binary.BigEndian.Uint16([]byte(payload[:2]))), payload[2:]
	}
	c.t.Fatalf("no close frame within %v", limit)
	return 0, ""
}

// TestEndlessMessageClosed: a fragmented message kept open with empty continuations and pings,
// each of which is a sign of life, is closed with 1008 once it has taken MessageTimeout. Both
// ways of reading.
func TestEndlessMessageClosed(t *testing.T) {
	for name, upgrade := range map[string]upgrader{"poller": Upgrade, "goroutine": classicUpgrade} {
		t.Run(name, func(t *testing.T) {
			m := NewManager("test", NewBusinessIndex(), Options{MessageTimeout: 200 * time.Millisecond, CloseGrace: 100 * time.Millisecond})
			defer m.Shutdown(t.Context())
			var closed atomic.Int64
			c := dialRaw(t, serveUpgraded(t, m, &closed, upgrade))

			c.write(frame(false, websocket.TextMessage, `{"type":`))
			stop := make(chan struct{})
			defer close(stop)
			go func() { // the message never ends; the client never falls silent
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
					if _, err := c.conn.Write(append(frame(false, 0, ""), frame(true, websocket.PingMessage, "")...)); err != nil {
						return
					}
				}
			}()
			code, reason := c.untilClose(patience)
			if code != websocket.ClosePolicyViolation || !strings.Contains(reason, "message") {
				t.Fatalf("close %d %q, want 1008 naming the message time limit", code, reason)
			}
			poll.Eventually(t, func() bool { return closed.Load() == 1 }, "the connection was not closed")
		})
	}
}

// TestMessageTimeLimitSparesCompleteMessages: a message whose fragments arrive over a while, but
// within MessageTimeout, is read and answered; and the limit ends with the message, however long
// the client then waits before the next one. Both ways of reading.
func TestMessageTimeLimitSparesCompleteMessages(t *testing.T) {
	for name, upgrade := range map[string]upgrader{"poller": Upgrade, "goroutine": classicUpgrade} {
		t.Run(name, func(t *testing.T) {
			const limit = 500 * time.Millisecond
			m := NewManager("test", NewBusinessIndex(), Options{MessageTimeout: limit})
			defer m.Shutdown(t.Context())
			var closed atomic.Int64
			c := dialRaw(t, serveUpgraded(t, m, &closed, upgrade))
			c.write(frame(false, websocket.TextMessage, `{"type":`))
			for range 3 {
				c.write(frame(false, 0, ""), frame(true, websocket.PingMessage, "p"))
				c.expect(want{websocket.PongMessage, "p"})
			}
			c.write(frame(true, 0, `"ping"}`))
			c.expect(pong)

			time.Sleep(2 * limit) // idle for longer than a message may take
			c.write(frame(true, websocket.TextMessage, appPing))
			c.expect(pong)
		})
	}
}

// TestInboundRateClosed: a client sending frames faster than InboundRate (burst twice that) is
// closed with 1008, whatever the frames are: control frames, messages, or continuations.
func TestInboundRateClosed(t *testing.T) {
	floods := map[string][]byte{
		"pings":         frame(true, websocket.PingMessage, "x"),
		"pongs":         frame(true, websocket.PongMessage, "x"),
		"messages":      frame(true, websocket.TextMessage, appPing),
		"continuations": frame(false, 0, ""),
	}
	for name, upgrade := range map[string]upgrader{"poller": Upgrade, "goroutine": classicUpgrade} {
		for kind, f := range floods {
			t.Run(name+"/"+kind, func(t *testing.T) {
				m := NewManager("test", NewBusinessIndex(), Options{InboundRate: 20, CloseGrace: 100 * time.Millisecond})
				defer m.Shutdown(t.Context())
				var closed atomic.Int64
				c := dialRaw(t, serveUpgraded(t, m, &closed, upgrade))
				var flood []byte
				if kind == "continuations" {
					flood = frame(false, websocket.TextMessage, "")
				}
				for range 200 {
					flood = append(flood, f...)
				}
				c.write(flood)
				code, reason := c.untilClose(patience)
				if code != websocket.ClosePolicyViolation || reason != "inbound rate over 20 frames/s" {
					t.Fatalf("close %d %q, want 1008 inbound rate over 20 frames/s", code, reason)
				}
				poll.Eventually(t, func() bool { return closed.Load() == 1 }, "the connection was not closed")
			})
		}
	}
}

// TestInboundRateSparesWellBehavedClients: at the default rate (20 frames/s), a client that
// answers the server's pings, however often they come, and sends a message now and then is
// never closed: the pong that answers a ping is not charged.
func TestInboundRateSparesWellBehavedClients(t *testing.T) {
	for name, upgrade := range map[string]upgrader{"poller": Upgrade, "goroutine": classicUpgrade} {
		t.Run(name, func(t *testing.T) {
			m := NewManager("test", NewBusinessIndex(), Options{InboundRate: 20, PingInterval: 10 * time.Millisecond})
			defer m.Shutdown(t.Context())
			var closed atomic.Int64
			c := dialRaw(t, serveUpgraded(t, m, &closed, upgrade))
			// 100 pings answered (more than the burst of 40), with a message every 25.
			for pings := 0; pings < 100; {
				op, payload := c.next()
				switch op {
				case websocket.PingMessage:
					c.write(frame(true, websocket.PongMessage, payload))
					if pings++; pings%25 == 0 {
						c.write(frame(true, websocket.TextMessage, appPing))
					}
				case websocket.CloseMessage:
					t.Fatalf("closed after %d pings: %q", pings, payload)
				}
			}
			if closed.Load() != 0 || m.Len() != 1 {
				t.Fatal("a well-behaved client was closed")
			}
		})
	}
}
