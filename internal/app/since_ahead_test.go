package app_test

import (
	"strconv"
	"testing"
)

// TestSinceAheadOfStore: a console resuming with a since greater than the store's latest seq (the
// database was replaced, or it talks to another cluster) is told to reset and gets the current
// state, then synced with the store's seq, then live events; never synced alone.
func TestSinceAheadOfStore(t *testing.T) {
	n := startNode(t, nil)
	n.raise(`{"alarmId":"a","businessType":"meter","businessId":"m-1"}`) // seq 1
	n.raise(`{"alarmId":"b","businessType":"meter","businessId":"m-2"}`) // seq 2
	n.raise(`{"alarmId":"c","businessType":"meter","businessId":"m-3"}`) // seq 3
	n.mustPost("/api/v1/alarms/b/clear", `{}`)                           // seq 4

	for _, since := range []string{"5", "1000", "9223372036854775807"} {
		c := n.dial("/ws/alarm?since=" + since)
		if len(c.replayed) != 3 || c.replayed[0].Type != "reset" ||
			alarmOf(t, c.replayed[1]).AlarmId != "a" || c.replayed[1].Seq != 1 ||
			alarmOf(t, c.replayed[2]).AlarmId != "c" || c.replayed[2].Seq != 3 || c.synced != 4 {
			var got []string
			for _, o := range c.replayed {
				got = append(got, string(o.raw))
			}
			t.Fatalf("since=%s: replayed %q, synced %d; want reset, a (1), c (3), synced 4", since, got, c.synced)
		}
		_ = c.ws.Close()
	}
	c := n.dial("/ws/alarm?since=99")
	r := n.raise(`{"alarmId":"d","businessType":"meter","businessId":"m-4"}`)
	if o := c.next(patience); o.Type != "alarm" || o.Seq != r[0].Seq || r[0].Seq != 5 {
		t.Fatalf("after the reset: live event %s, want seq 5", o.raw)
	}

	// since equal to the latest seq is an ordinary resume: nothing to replay.
	r = n.raise(`{"alarmId":"e","businessType":"meter","businessId":"m-5"}`)
	if c := n.dial("/ws/alarm?since=" + strconv.FormatInt(r[0].Seq, 10)); len(c.replayed) != 0 || c.synced != r[0].Seq {
		t.Fatalf("since=latest: replayed %d objects, synced %d", len(c.replayed), c.synced)
	}
}
