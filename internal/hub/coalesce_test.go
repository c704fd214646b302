package hub

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// slowFollower serves m and opens one client following key that reads nothing until told:
// its socket's receive buffer is small, so that the server's socket and then its queue fill.
func slowFollower(t *testing.T, m *Manager, key Key) *websocket.Conn {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws, err := Upgrade(&up, w, r); err == nil {
			m.Attach(ws, key, "slow", AttachOptions{})
		}
	}))
	t.Cleanup(srv.Close)
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(32 << 10)
		}
		return c, err
	}}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	waitLen(t, m, 1)
	return ws
}

// meterItem is a row item of business m-<id> with value n, padded so that sockets fill soon.
func meterItem(id, n int) (Key, *Message) {
	k := Key{Type: "meter", ID: fmt.Sprintf("m-%d", id)}
	return k, NewMessage(fmt.Appendf(nil, `{"type":"rowdata","data":{"businessType":"meter","businessId":%q,"n":%d,"pad":%q}}`,
		k.ID, n, strings.Repeat("x", 2000)))
}

// fillSlow publishes rounds of one item to each of businesses ids until full reports true, then
// rounds more, and returns the value of the last round (each round's value is the round's number).
func fillSlow(t *testing.T, m *Manager, ids, more int, full func(Stats) bool) (last int) {
	t.Helper()
	const most = 2000 // rounds: 160 MB, far more than sockets buffer
	n := 0
	for ; more > 0; n++ {
		if n == most {
			t.Fatalf("after %d rounds the queue of a client that reads nothing never overflowed: %+v", n, m.Stats())
		}
		for id := range ids {
			m.Publish(meterItem(id, n))
		}
		if full(m.Stats()) {
			more--
		}
	}
	return n - 1
}

// received is what a client read: every object, in order.
type received struct {
	items   []struct{ ID, N string } // row items: business and value
	skipped int                      // the sum of the coalesced notices' counts
	seqs    []int64
}

// readUntil reads objects until done says it has what it waits for.
func readUntil(t *testing.T, ws *websocket.Conn, done func(*received) bool) *received {
	t.Helper()
	r := &received{}
	for !done(r) {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, frame, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %d items: %v", len(r.items), err)
		}
		for _, obj := range strings.Split(string(frame), "\n") {
			var o struct {
				Type    string `json:"type"`
				Skipped int    `json:"skipped"`
				Seq     int64  `json:"seq"`
				Data    struct {
					ID string          `json:"businessId"`
					N  json.RawMessage `json:"n"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(obj), &o); err != nil {
				t.Fatalf("not an object: %.80q", obj)
			}
			switch {
			case o.Type == "coalesced":
				if o.Skipped <= 0 {
					t.Fatalf("a coalesced notice without a count: %s", obj)
				}
				r.skipped += o.Skipped
			case o.Seq != 0:
				r.seqs = append(r.seqs, o.Seq)
			default:
				r.items = append(r.items, struct{ ID, N string }{o.Data.ID, string(o.Data.N)})
			}
		}
	}
	return r
}

// TestSlowWildcardFollowerGetsTheLatestOfEveryBusiness: a client following meter/* stops reading
// while every business of many keeps publishing; its queue fills and coalesces. When it reads
// again, it gets the latest value of every business, never a value older than one it already got
// for the same business, fewer items than were published, and a notice that values were
// skipped. Messages with a seq (alarms) queued meanwhile are never coalesced.
func TestSlowWildcardFollowerGetsTheLatestOfEveryBusiness(t *testing.T) {
	const ids, queue = 40, 16 // more businesses than the queue holds
	m := NewManager("t", NewBusinessIndex(), Options{Overflow: Coalesce, SendQueue: queue, WriteTimeout: 10 * time.Minute})
	defer m.Shutdown(t.Context())
	ws := slowFollower(t, m, Key{Type: "meter", ID: "*"})

	last := fillSlow(t, m, ids, 1, func(s Stats) bool { return s.Coalesced >= 5*ids }) // rounds of them coalesced
	const alarms = 5
	for seq := range int64(alarms) {
		m.Publish(Key{Type: "meter", ID: "m-0"}, NewSeqMessage(fmt.Appendf(nil, `{"type":"alarm","seq":%d}`, seq+1), seq+1))
	}
	published := (last + 1) * ids

	latest, seen := map[string]int{}, 0
	r := readUntil(t, ws, func(r *received) bool {
		for _, it := range r.items[seen:] {
			var n int
			_, _ = fmt.Sscan(it.N, &n)
			if prev, ok := latest[it.ID]; ok && n <= prev {
				t.Fatalf("%s: value %d after %d: a stale value after a newer one", it.ID, n, prev)
			}
			latest[it.ID] = n
		}
		seen = len(r.items)
		if len(latest) < ids || len(r.seqs) < alarms {
			return false
		}
		for _, n := range latest {
			if n != last {
				return false
			}
		}
		return true
	})
	for i, seq := range r.seqs {
		if seq != int64(i+1) {
			t.Fatalf("alarms %v: every one, in order, was due", r.seqs)
		}
	}
	s := m.Stats()
	if len(r.items) >= published {
		t.Fatalf("got all %d items: nothing was coalesced", published)
	}
	if r.skipped == 0 || int64(r.skipped) > s.Coalesced {
		t.Fatalf("notices counted %d skipped values; the manager coalesced %d", r.skipped, s.Coalesced)
	}
	if s.Dropped != 0 {
		t.Fatalf("%d dropped: every business fits a coalescing queue", s.Dropped)
	}
	if len(r.items)+int(s.Coalesced) != published {
		t.Fatalf("%d items received and %d coalesced, %d published", len(r.items), s.Coalesced, published)
	}
	t.Logf("%d of %d items delivered, %d coalesced", len(r.items), published, s.Coalesced)
}

// TestSlowFollowerDropOldest: with DropOldest, the same slow follower loses the oldest items
// instead: what it gets last is the last items published, in order, and businesses whose last
// item was dropped have no current value. Nothing is coalesced and no notice is sent.
func TestSlowFollowerDropOldest(t *testing.T) {
	const ids, queue = 40, 16
	m := NewManager("t", NewBusinessIndex(), Options{Overflow: DropOldest, SendQueue: queue, WriteTimeout: 10 * time.Minute})
	defer m.Shutdown(t.Context())
	ws := slowFollower(t, m, Key{Type: "meter", ID: "*"})

	last := fillSlow(t, m, ids, 3, func(s Stats) bool { return s.Dropped > 0 })
	lastID := fmt.Sprintf("m-%d", ids-1)
	r := readUntil(t, ws, func(r *received) bool {
		n := len(r.items)
		return n > 0 && r.items[n-1] == struct{ ID, N string }{lastID, fmt.Sprint(last)}
	})
	if len(r.items) < queue {
		t.Fatalf("got %d items", len(r.items))
	}
	for i, it := range r.items[len(r.items)-queue:] { // the queue's content: the newest items
		if want := (struct{ ID, N string }{fmt.Sprintf("m-%d", ids-queue+i), fmt.Sprint(last)}); it != want {
			t.Fatalf("item %d of the queue: %v, want %v", i, it, want)
		}
	}
	if s := m.Stats(); s.Coalesced != 0 || r.skipped != 0 {
		t.Fatalf("coalesced %d (notices: %d) under DropOldest", s.Coalesced, r.skipped)
	}
	poll.Eventually(t, func() bool { return m.Len() == 1 }, "the slow follower was disconnected")
}

// BenchmarkCoalescingSend: what one more item costs a slow dashboard whose queue is full and
// coalescing, following 256 businesses of which each publish is one (ns/op and allocs/op per
// item; the queue's writer is busy, as a slow client's is).
func BenchmarkCoalescingSend(b *testing.B) {
	m := NewManager("bench", NewBusinessIndex(), Options{Overflow: Coalesce, SendQueue: 256})
	defer m.Shutdown(b.Context())
	c := &Conn{manager: m, writer: writerGoroutine}
	keys := make([]Key, 256)
	for i := range keys {
		keys[i] = Key{Type: "meter", ID: fmt.Sprintf("m-%d", i)}
	}
	msg := NewMessage([]byte(`{"type":"rowdata"}`))
	for i := range 2 * len(keys) { // full, then coalescing
		c.mu.Lock()
		c.sendAndUnlock(msg, keys[i%len(keys)])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.mu.Lock()
		c.sendAndUnlock(msg, keys[i%len(keys)])
		i++
	}
	if c.coalescing == nil || len(c.queue) != len(keys)+256 {
		b.Fatalf("queue of %d, coalescing %v", len(c.queue), c.coalescing != nil)
	}
}
