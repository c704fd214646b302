package loadgen

import "sync/atomic"

// maxMissing bounds the sequence numbers one checker remembers as missing: a gap wider than that
// is still counted as lost, but an item of it arriving late then counts as a duplicate.
const maxMissing = 1 << 16

// seqCheck follows one numbered stream (the row data of one business on one dashboard, or the alarm
// events of one console): each number must follow the last one seen. A number past it leaves a gap,
// counted as lost until its numbers arrive (then they count as out of order); a number at or before
// it that is not missing is a duplicate. Only the stream's reader calls see; last may be read by
// anyone.
type seqCheck struct {
	last    atomic.Int64
	missing map[int64]struct{}
}

func newSeqCheck(last int64) *seqCheck {
	c := &seqCheck{missing: map[int64]struct{}{}}
	c.last.Store(last)
	return c
}

// see checks number s against the stream and counts it in t; delivered counts what was new.
func (c *seqCheck) see(s int64, t *soakCounters, delivered *atomic.Int64) {
	last := c.last.Load()
	switch {
	case s == last+1:
		c.last.Store(s)
		delivered.Add(1)
	case s > last+1:
		for m := last + 1; m < s && len(c.missing) < maxMissing; m++ {
			c.missing[m] = struct{}{}
		}
		t.lost.Add(s - last - 1)
		c.last.Store(s)
		delivered.Add(1)
	default:
		if _, ok := c.missing[s]; ok {
			delete(c.missing, s)
			t.lost.Add(-1)
			t.outOfOrder.Add(1)
			delivered.Add(1)
			return
		}
		t.duplicated.Add(1)
	}
}

// upTo counts as lost whatever the stream should have held up to and including s but has not
// reached, and moves it there: a console's history must reach its synced seq, a dashboard the last
// item its business was sent.
func (c *seqCheck) upTo(s int64, t *soakCounters) {
	if last := c.last.Load(); s > last {
		t.lost.Add(s - last)
		c.last.Store(s)
	}
}
