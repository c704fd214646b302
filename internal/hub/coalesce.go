package hub

import (
	"slices"
	"strconv"
)

// coalescing is what a connection of a Coalesce manager keeps while its queue is over-full:
// where the message of each key queued since the queue filled is, so that a newer message of the
// key replaces it in place. A connection has it only from the moment its queue is full until its
// writer takes the queue: most connections are never slow, and neither the fast path nor a
// queue that is not full allocates anything for it, nor does a Message carry its key (the
// snapshots keep millions of them).
//
// The messages queued before the queue filled stay as they are: their keys were not recorded.
// From then on the queue holds one message per key besides them, so a dashboard following many
// businesses keeps the newest value of each of them, in the order of the queue: a value never
// comes after a newer one of its business. The queue holds at most coalesceSpan × SendQueue
// messages; past that the oldest goes, as with DropOldest.
type coalescing struct {
	// at is where each key's message is, as a position counted from the first message the queue
	// ever held since coalescing began: queue[at[key]-base].
	at      map[Key]int
	base    int   // messages dropped from the head of the queue since coalescing began
	indexed int   // positions below this were queued before: not in at
	keys    []Key // the key of each position from indexed on (Key{}: not coalesced)
	skipped int   // messages replaced by a newer one of their key since the writer took the queue
}

// coalesceSpan bounds a coalescing queue: coalesceSpan × SendQueue messages. A slow client
// holds a pointer and an index entry per key it follows (some 100 bytes), not the message: the
// newest message of a key is the one the snapshots keep anyway.
const coalesceSpan = 4

// coalescable reports whether a queue may replace m, published to key, by a newer message of
// key: row data published to a business or a type; not an alarm (it has a seq) nor a message to
// everyone or to no key (the engine's own: pong, error, auth, snapshot; a user's notices).
func coalescable(m *Message, key Key) bool { return m.seq == 0 && key.Type != "" }

// coalesceAndUnlock queues m, published to key, on a connection whose queue is full or already
// coalescing: m takes the place of the queued message of key, or joins the end of the queue.
// Called with c.mu held, it releases it.
func (c *Conn) coalesceAndUnlock(m *Message, key Key) {
	k := c.coalescing
	if k == nil {
		k = &coalescing{at: make(map[Key]int), indexed: len(c.queue)}
		c.coalescing = k
	}
	ok := coalescable(m, key)
	if ok {
		if at, queued := k.at[key]; queued {
			c.queue[at-k.base] = m
			k.skipped++
			c.mu.Unlock()
			c.manager.counters.coalesced.Add(1)
			return
		}
	}
	dropped := len(c.queue) >= c.manager.opts.SendQueue*coalesceSpan
	if dropped {
		c.dropHeadLocked(k)
	}
	if !ok {
		key = Key{}
	} else {
		k.at[key] = k.base + len(c.queue)
	}
	k.keys = append(k.keys, key)
	c.queue = append(c.queue, m)
	c.wakeWriterAndUnlock()
	if dropped {
		c.manager.counters.dropped.Add(1)
	}
}

// dropHeadLocked drops the oldest queued message. Called with c.mu held.
func (c *Conn) dropHeadLocked(k *coalescing) {
	if k.base >= k.indexed { // the head was queued while coalescing
		if key := k.keys[0]; key.Type != "" && k.at[key] == k.base {
			delete(k.at, key)
		}
		k.keys[0] = Key{}
		k.keys = k.keys[1:]
		k.indexed++
	}
	n := copy(c.queue, c.queue[1:])
	c.queue[n] = nil
	c.queue = c.queue[:n]
	k.base++
}

// forget makes every message of a queue of n, whose messages were removed from the middle (a
// replay covered them), one that is not coalesced: their positions changed.
func (k *coalescing) forget(n int) {
	clear(k.at)
	k.base, k.indexed, k.keys = 0, n, nil
}

// takeQueueLocked hands the writer what is queued and gives the queue its spare buffer. When
// messages were coalesced, the batch begins with a notice saying how many values were skipped
// (see coalescedNotice), and coalescing ends: the next messages queue as usual. Called with c.mu
// held.
func (c *Conn) takeQueueLocked() []*Message {
	batch := c.queue
	c.queue, c.spare = c.spare, nil
	if k := c.coalescing; k != nil {
		c.coalescing = nil
		if k.skipped > 0 {
			batch = slices.Insert(batch, 0, coalescedNotice(k.skipped))
		}
	}
	return batch
}

// coalescedNotice encodes {"type":"coalesced","skipped":n}: the values that follow include the
// newest of their businesses; n older ones were left out so that the client catches up.
func coalescedNotice(skipped int) *Message {
	b := make([]byte, 0, 48)
	b = append(b, `{"type":"coalesced","skipped":`...)
	b = strconv.AppendInt(b, int64(skipped), 10)
	return NewMessage(append(b, '}'))
}
