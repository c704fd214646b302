package alarm

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// TestFeedFillsGaps: the bus rings events out of order, twice, or not at all; the feed still
// delivers every committed event once, in seq order: a gap is filled from the store after gapWait,
// and events whose bell was lost with nothing after them come with the next poll.
func TestFeedFillsGaps(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		t.Parallel() // mostly waiting for the feed's poll: the databases wait together
		rec := newRecorder()
		s := open(t, node, rec)
		var (
			mu  sync.Mutex
			got []int64
		)
		feed, err := s.Feed(context.Background(), publishFunc(func(key hub.Key, msg *hub.Message) int {
			mu.Lock()
			defer mu.Unlock()
			seq, frame := msg.Seq(), msg.Bytes()
			if want := fmt.Sprintf(`"seq":%d`, seq); !strings.Contains(string(frame), want) {
				t.Errorf("seq %d delivered with the frame %s", seq, frame)
			}
			if key != (hub.Key{Type: "", ID: "b"}) {
				t.Errorf("seq %d published under %+v, want the alarm's business", seq, key)
			}
			got = append(got, seq)
			return 1
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer feed.Close()
		raiseN(t, s, 0, 10) // seqs 1..10, all committed
		rung := map[int64]bus.Event{}
		for _, e := range rec.events {
			rung[e.Seq] = e
		}
		for _, seq := range []int64{3, 1, 5, 5, 1} { // 2 and 4 never rung, 6..10 lost too
			feed.Offer(rung[seq])
		}
		delivered := func() string {
			mu.Lock()
			defer mu.Unlock()
			return fmt.Sprint(got)
		}
		if !poll.Until(func() bool { return delivered() == "[1 2 3 4 5 6 7 8 9 10]" }) {
			t.Fatalf("delivered %s, want 1..10 once each, in order", delivered())
		}
		feed.Offer(rung[7]) // a late bell for what the store gave already
		feed.CatchUp()
		time.Sleep(gapWait)
		if d := delivered(); d != "[1 2 3 4 5 6 7 8 9 10]" {
			t.Fatalf("after a late bell: %s", d)
		}
		raiseN(t, s, 100, 2) // seqs 11 and 12, not rung at all: the poll finds them
		if !poll.Until(func() bool { return delivered() == "[1 2 3 4 5 6 7 8 9 10 11 12]" }) {
			t.Fatalf("never rung: delivered %s", delivered())
		}
	})
}

// publishFunc is a Publisher of a function.
type publishFunc func(hub.Key, *hub.Message) int

func (f publishFunc) Publish(key hub.Key, msg *hub.Message) int { return f(key, msg) }
