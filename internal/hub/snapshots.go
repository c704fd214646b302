package hub

import (
	"bytes"
	"container/heap"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// snapshots keeps the row data published to each exact key: its latest size messages are the
// key's snapshot, which a chart that opens draws at once, and up to keep of them received within
// window are its history, which a chart reads to fill its time window. Its memory, counted in
// bytes as allocated (snapshot_cost.go), is bounded and shared fairly between business types (see
// shares): a type within its share keeps everything it has, and over the bound the heaviest type
// gives up its least recently published key's history (the points older than its snapshot) and
// then the key itself.
type snapshots struct {
	size   int   // a key's snapshot: its latest size points
	keep   int   // a key's points at most: its snapshot and its history
	window int64 // ms: a point older than this is history no more (its snapshot keeps it)

	mu     sync.Mutex
	byKey  map[Key]*snapshotRing
	all    ringList // every key, most recently published first
	shares shares
	clock  uint64 // counts records, to merge the types' lists in publish order
	points int    // points held, every key's
}

// snapshotRing is one key's kept row data: its snapshot and its history, in one ring.
type snapshotRing struct {
	key   Key
	owner *typeAccount
	last  int64   // server unix ms of the latest record
	stamp uint64  // clock at the latest record
	bytes int64   // what the ring is charged to its type: ringCost, its slots and its messages
	slots []point // a ring: slots[head] is the oldest of n; it grows up to keep slots
	head  int
	n     int
	links [2]ringLinks
}

// point is one kept message and when it was received.
type point struct {
	msg *Message
	ts  int64 // server unix ms
}

func newSnapshots(o Options) *snapshots {
	return &snapshots{
		size:   o.SnapshotSize,
		keep:   max(o.SnapshotSize, o.HistoryPoints),
		window: o.HistoryWindow.Milliseconds(),
		byKey:  map[Key]*snapshotRing{},
		all:    ringList{which: allList},
		shares: newShares(o.SnapshotMemory),
	}
}

// firstSlots is how many slots a new key's ring starts with: its snapshot's, or a few; it doubles
// as its history grows, up to keep.
func (s *snapshots) firstSlots() int { return min(s.keep, max(s.size, 8)) }

// record keeps msg, received at ts (0: now), if it was published to one exact key; type-wide and
// broadcast publishes are not a key's row data. It lets go of the key's points older than the
// window beyond its snapshot, then frees memory until it is within its bound again.
func (s *snapshots) record(k Key, msg *Message, ts int64) {
	if k.Type == "" || k.ID == "" || k.ID == model.Wildcard {
		return
	}
	now := time.Now().UnixMilli()
	if ts == 0 {
		ts = now
	}
	cost := messageCost(msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.byKey[k]
	if r == nil {
		slots := s.firstSlots()
		r = &snapshotRing{key: k, owner: s.shares.account(k.Type), slots: make([]point, slots)}
		s.byKey[k] = r
		s.all.pushFront(r)
		r.owner.rings.pushFront(r)
		cost += ringCost(k, slots)
	} else {
		s.all.moveToFront(r)
		r.owner.rings.moveToFront(r)
	}
	s.clock++
	r.last, r.stamp = now, s.clock
	if r.n == len(r.slots) {
		if r.n < s.keep {
			cost += r.resize(min(2*r.n, s.keep))
		} else {
			cost -= s.dropOldest(r)
		}
	}
	if r.n > 0 { // items from two ingesting nodes may cross: the ring stays in order of ts for since
		ts = max(ts, r.at(r.n-1).ts)
	}
	r.slots[r.index(r.n)] = point{msg: msg, ts: ts}
	r.n++
	s.points++
	for r.n > s.size && r.slots[r.head].ts < now-s.window {
		cost -= s.dropOldest(r)
	}
	r.bytes += cost
	s.shares.charge(r.owner, cost)
	for heaviest, over := s.shares.over(); over; heaviest, over = s.shares.over() {
		s.giveUp(heaviest.rings.oldest)
	}
}

// dropOldest lets go of r's oldest point and returns what it cost.
func (s *snapshots) dropOldest(r *snapshotRing) int64 {
	cost := messageCost(r.slots[r.head].msg)
	r.slots[r.head] = point{}
	r.head = r.index(1)
	r.n--
	s.points--
	return cost
}

// resize moves r's points, oldest first, into a ring of slots slots and returns what that changes
// of its cost.
func (r *snapshotRing) resize(slots int) int64 {
	moved := make([]point, slots)
	for i := range r.n {
		moved[i] = r.at(i)
	}
	delta := slotCost * int64(slots-len(r.slots))
	r.slots, r.head = moved, 0
	return delta
}

// giveUp frees memory from r, the least recently published key of the type that holds the most:
// its history if it has one (the oldest points go first), else r itself.
func (s *snapshots) giveUp(r *snapshotRing) {
	if s.size == 0 || r.n <= s.size {
		s.forget(r)
		s.shares.evictions++
		return
	}
	var freed int64
	for r.n > s.size {
		freed += s.dropOldest(r)
	}
	if len(r.slots) > s.size {
		freed -= r.resize(s.size)
	}
	r.bytes -= freed
	s.shares.charge(r.owner, -freed)
	s.shares.trims++
}

// forget drops r and what it is charged.
func (s *snapshots) forget(r *snapshotRing) {
	delete(s.byKey, r.key)
	s.points -= r.n
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
	if s.size == 0 { // history only: a new subscriber starts with live data
		return nil
	}
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
		for i := max(r.n-s.size, 0); i < r.n; i++ {
			msgs = append(msgs, r.at(i).msg)
		}
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

// history returns what k's history holds received at or after from: for (T, I) that key's points,
// oldest first, as one series (empty if it has none); for (T, *) those of each id of T that has
// some, the most recently published ids first, at most limit series.
func (s *snapshots) history(k Key, from int64, limit int) []Series {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k.ID != model.Wildcard {
		series := Series{Key: k}
		if r := s.byKey[k]; r != nil {
			series.Items = r.since(from)
		}
		return []Series{series}
	}
	var out []Series
	if a := s.shares.byName[k.Type]; a != nil {
		for r := a.rings.newest; r != nil && len(out) < limit; r = a.rings.older(r) {
			if items := r.since(from); len(items) > 0 {
				out = append(out, Series{Key: r.key, Items: items})
			}
		}
	}
	return out
}

// since returns the bytes of r's points received at or after from, oldest first.
func (r *snapshotRing) since(from int64) [][]byte {
	first := sort.Search(r.n, func(i int) bool { return r.at(i).ts >= from })
	if first == r.n {
		return nil
	}
	items := make([][]byte, 0, r.n-first)
	for i := first; i < r.n; i++ {
		items = append(items, r.at(i).msg.data)
	}
	return items
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
	keys, types, points int
	bytes               int64
	evictions, trims    int64
}

func (s *snapshots) stats() snapshotStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return snapshotStats{keys: len(s.byKey), types: len(s.shares.byName), points: s.points, bytes: s.shares.total,
		evictions: s.shares.evictions, trims: s.shares.trims}
}

// at is r's i-th point, oldest first.
func (r *snapshotRing) at(i int) point { return r.slots[r.index(i)] }

// index is the slot of r's i-th point (i < len(r.slots)), without a division on the publish path.
func (r *snapshotRing) index(i int) int {
	if i += r.head; i >= len(r.slots) {
		i -= len(r.slots)
	}
	return i
}

func (r *snapshotRing) latest() *Message { return r.at(r.n - 1).msg }

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
