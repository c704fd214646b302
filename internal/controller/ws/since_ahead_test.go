package ws_test

import (
	"strconv"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestSinceAheadOfStore: a console resuming with a since greater than the store's latest seq (the
// database was replaced, or it talks to another cluster) is told to reset and gets the current
// state, then synced with the store's seq, then live events; never synced alone.
func TestSinceAheadOfStore(t *testing.T) {
	n := pulsenode.Start(t, nil)
	n.Raise(`{"alarmId":"a","businessType":"meter","businessId":"m-1"}`) // seq 1
	n.Raise(`{"alarmId":"b","businessType":"meter","businessId":"m-2"}`) // seq 2
	n.Raise(`{"alarmId":"c","businessType":"meter","businessId":"m-3"}`) // seq 3
	n.MustPost("/api/v1/alarms/b/clear", `{}`)                           // seq 4

	for _, since := range []string{"5", "1000", "9223372036854775807"} {
		c := n.Dial("/ws/alarm?since=" + since)
		if len(c.Replayed) != 3 || c.Replayed[0].Type != "reset" ||
			pulsenode.AlarmOf(t, c.Replayed[1]).AlarmId != "a" || c.Replayed[1].Seq != 1 ||
			pulsenode.AlarmOf(t, c.Replayed[2]).AlarmId != "c" || c.Replayed[2].Seq != 3 || c.Synced != 4 {
			var got []string
			for _, o := range c.Replayed {
				got = append(got, string(o.Raw))
			}
			t.Fatalf("since=%s: replayed %q, synced %d; want reset, a (1), c (3), synced 4", since, got, c.Synced)
		}
		_ = c.WS.Close()
	}
	c := n.Dial("/ws/alarm?since=99")
	r := n.Raise(`{"alarmId":"d","businessType":"meter","businessId":"m-4"}`)
	if o := c.Next(pulsenode.Patience); o.Type != "alarm" || o.Seq != r[0].Seq || r[0].Seq != 5 {
		t.Fatalf("after the reset: live event %s, want seq 5", o.Raw)
	}

	// since equal to the latest seq is an ordinary resume: nothing to replay.
	r = n.Raise(`{"alarmId":"e","businessType":"meter","businessId":"m-5"}`)
	if c := n.Dial("/ws/alarm?since=" + strconv.FormatInt(r[0].Seq, 10)); len(c.Replayed) != 0 || c.Synced != r[0].Seq {
		t.Fatalf("since=latest: replayed %d objects, synced %d", len(c.Replayed), c.Synced)
	}
}
