package hub

import (
	"bytes"
	"container/heap"
	"slices"
	"sync"
	"time"

	"pulse/internal/model"
)

// snapshots keeps the latest messages published to each exact key, so that a chart that opens
// draws its recent past at once. It keeps size messages per key, and its memory, counted in bytes
// as allocated (snapshot_cost.go), is bounded and shared fairly between business types (see
// shares): a type within its share keeps every key it has, and over the bound the heaviest type
// forgets its least recently published key first.
type snapshots struct {
	size int

	mu     sync.Mutex
	byKey  map[Key]*snapshotRing
	all    ringList // every key, most recently published first
	shares shares
	clock  uint64 // counts records, to merge the types' lists in publish order
}

// snapshotRing is one key's latest messages.
type snapshotRing struct {
	key   Key
	owner *typeAccount
	last  int64  // server unix ms of the latest record
	stamp uint64 // clock at the latest record
	bytes int64  // what the ring is charged to its type: ringCost and its messages' messageCost
	msgs  []*Message
	next  int // oldest first once full: next is the oldest
	links [2]ringLinks
}

func newSnapshots(size int, limit int64) *snapshots {
	return &snapshots{
		size:   size,
		byKey:  map[Key]*snapshotRing{},
		all:    ringList{which: allList},
		shares: newShares(limit),
	}
}

// record keeps msg if it was published to one exact key; type-wide and broadcast publishes are
// not a key's history. Then it forgets keys until the memory is within its bound again.
func (s *snapshots) record(k Key, msg *Message) {
	if k.Type == "" || k.ID == "" || k.ID == model.Wildcard {
		return
	}
	now := time.Now().UnixMilli()
	cost := messageCost(msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.byKey[k]
	if r == nil {
		r = &snapshotRing{key: k, owner: s.shares.account(k.Type), msgs: make([]*Message, 0, s.size)}
		s.byKey[k] = r
		s.all.pushFront(r)
		r.owner.rings.pushFront(r)
		cost += ringCost(k, s.size)
	} else {
		s.all.moveToFront(r)
		r.owner.rings.moveToFront(r)
	}
	s.clock++
	r.last, r.stamp = now, s.clock
	if len(r.msgs) < s.size {
		r.msgs = append(r.msgs, msg)
	} else {
		cost -= messageCost(r.msgs[r.next])
		r.msgs[r.next] = msg
		r.next = (r.next + 1) % s.size
	}
	r.bytes += cost
	s.shares.charge(r.owner, cost)
	for heaviest, over := s.shares.over(); over; heaviest, over = s.shares.over() {
		s.forget(heaviest.rings.oldest)
		s.shares.evictions++
	}
}

// forget drops r and what it is charged.
func (s *snapshots) forget(r *snapshotRing) {
	delete(s.byKey, r.key)
	s.all.remove(r)
	owner := r.owner
	owner.rings.remove(r)
	s.shares.charge(owner, -r.bytes)
	if owner.rings.len == 0 {
		s.shares.close(owner)
	}
}

// typeWideSnapshot is how many ids a (T, *) snapshot holds at most, the most recently published:
// one frame of 10,000 small items is already over a megabyte, and a type within its share of the
// memory may hold far more ids than a chart can draw.
const typeWideSnapshot = 10_000

// take returns what a new subscriber of k gets first, as one message of newline-separated objects
// each marked "snapshot":true, or nil: for (T, I) that key's messages oldest first, for (T, *) the
// latest message of each id of T (at most typeWideSnapshot), in the order they were published.
func (s *snapshots) take(k Key) *Message {
	s.mu.Lock()
	var msgs []*Message
	if k.ID == model.Wildcard {
		if a := s.shares.byName[k.Type]; a != nil {
			msgs = make([]*Message, min(a.rings.len, typeWideSnapshot))
			r := a.rings.newest
			for i := len(msgs) - 1; i >= 0; i-- {
				msgs[i], r = r.latest(), a.rings.older(r)
			}
		}
	} else if r := s.byKey[k]; r != nil {
		msgs = append(msgs, r.msgs[r.next:]...)
		msgs = append(msgs, r.msgs[:r.next]...)
	}
	s.mu.Unlock()
	if len(msgs) == 0 {
		return nil
	}
	var b bytes.Buffer
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.Write(markSnapshot(m.data))
	}
	return NewMessage(b.Bytes())
}

// recent returns up to limit of the keys held within scope (see Manager.Recent), most recently
// published first. It reads only the lists scope covers: a narrow scope costs what it returns,
// however many keys other types hold.
func (s *snapshots) recent(limit int, scope []Key) []RecentKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RecentKey
	if scope == nil || slices.Contains(scope, Key{}) {
		for r := s.all.newest; r != nil && len(out) < limit; r = s.all.older(r) {
			out = append(out, RecentKey{Key: r.key, LastMs: r.last})
		}
		return out
	}
	// One cursor per type scope covers whole, one per key it names outside those types; the
	// newest of their rings comes next.
	var next cursors
	whole := map[string]bool{}
	for _, k := range scope {
		if a := s.shares.byName[k.Type]; k.ID == model.Wildcard && !whole[k.Type] && a != nil {
			next = append(next, cursor{ring: a.rings.newest, list: &a.rings})
		}
		whole[k.Type] = whole[k.Type] || k.ID == model.Wildcard
	}
	named := map[Key]bool{}
	for _, k := range scope {
		if r := s.byKey[k]; r != nil && !whole[k.Type] && !named[k] {
			next = append(next, cursor{ring: r})
			named[k] = true
		}
	}
	heap.Init(&next)
	for len(next) > 0 && len(out) < limit {
		c := &next[0]
		r := c.ring
		out = append(out, RecentKey{Key: r.key, LastMs: r.last})
		if c.ring = nil; c.list != nil {
			c.ring = c.list.older(r)
		}
		if c.ring == nil {
			heap.Pop(&next)
		} else {
			heap.Fix(&next, 0)
		}
	}
	return out
}

// cursor walks one list of rings (or a single ring, list nil) from the newest.
type cursor struct {
	ring *snapshotRing
	list *ringList
}

// cursors are a max-heap on the stamp of their rings: the most recently published comes first.
type cursors []cursor

func (h cursors) Len() int           { return len(h) }
func (h cursors) Less(i, j int) bool { return h[i].ring.stamp > h[j].ring.stamp }
func (h cursors) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursors) Push(x any)        { *h = append(*h, x.(cursor)) }
func (h *cursors) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// snapshotStats are what the snapshots hold.
type snapshotStats struct {
	keys, types int
	bytes       int64
	evictions   int64
}

func (s *snapshots) stats() snapshotStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return snapshotStats{keys: len(s.byKey), types: len(s.shares.byName), bytes: s.shares.total, evictions: s.shares.evictions}
}

func (r *snapshotRing) latest() *Message {
	if r.next == 0 {
		return r.msgs[len(r.msgs)-1]
	}
	return r.msgs[r.next-1]
}

// markSnapshot returns the JSON object obj with "snapshot":true as its first member.
func markSnapshot(obj []byte) []byte {
	rest := bytes.TrimSpace(obj[min(1, len(obj)):])
	if len(obj) < 2 || obj[0] != '{' || len(rest) == 0 {
		return obj // not an object: published messages always are, so nothing to mark
	}
	out := make([]byte, 0, len(obj)+len(snapshotMember)+1)
	out = append(out, '{')
	out = append(out, snapshotMember...)
	if rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, obj[1:]...)
}

var snapshotMember = []byte(`"snapshot":true`)
