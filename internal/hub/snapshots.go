package hub

import (
	"bytes"
	"cmp"
	"container/list"
	"slices"
	"sync"
	"time"

	"pulse/internal/model"
)

// snapshots keeps the latest messages published to each exact key, so that a chart that opens
// draws its recent past at once. Memory is bounded twice: size messages per key and at most
// maxKeys keys, the least recently published forgotten first.
type snapshots struct {
	size, maxKeys int

	mu     sync.Mutex
	byKey  map[Key]*list.Element // of *snapshotRing
	byType map[string]map[string]*list.Element
	lru    list.List // front: most recently published
	clock  uint64    // counts records, to order the ids of a type by their latest publish
}

type snapshotRing struct {
	key   Key
	stamp uint64     // clock at the latest record
	last  int64      // server unix ms of the latest record
	msgs  []*Message // oldest first once full: next is the oldest
	next  int
}

func newSnapshots(size, maxKeys int) *snapshots {
	return &snapshots{
		size:    size,
		maxKeys: maxKeys,
		byKey:   map[Key]*list.Element{},
		byType:  map[string]map[string]*list.Element{},
	}
}

// record keeps msg if it was published to one exact key; type-wide and broadcast publishes are
// not a key's history.
func (s *snapshots) record(k Key, msg *Message) {
	if k.Type == "" || k.ID == "" || k.ID == model.Wildcard {
		return
	}
	now := time.Now().UnixMilli()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byKey[k]
	if e == nil {
		if s.lru.Len() >= s.maxKeys {
			s.forget(s.lru.Back())
		}
		e = s.lru.PushFront(&snapshotRing{key: k, msgs: make([]*Message, 0, s.size)})
		s.byKey[k] = e
		ids := s.byType[k.Type]
		if ids == nil {
			ids = map[string]*list.Element{}
			s.byType[k.Type] = ids
		}
		ids[k.ID] = e
	} else {
		s.lru.MoveToFront(e)
	}
	r := e.Value.(*snapshotRing)
	s.clock++
	r.stamp, r.last = s.clock, now
	if len(r.msgs) < s.size {
		r.msgs = append(r.msgs, msg)
		return
	}
	r.msgs[r.next] = msg
	r.next = (r.next + 1) % s.size
}

func (s *snapshots) forget(e *list.Element) {
	k := s.lru.Remove(e).(*snapshotRing).key
	delete(s.byKey, k)
	if ids := s.byType[k.Type]; ids != nil {
		delete(ids, k.ID)
		if len(ids) == 0 {
			delete(s.byType, k.Type)
		}
	}
}

// take returns what a new subscriber of k gets first, as one message of newline-separated objects
// each marked "snapshot":true, or nil: for (T, I) that key's messages oldest first, for (T, *) the
// latest message of each id of T, in the order they were published.
func (s *snapshots) take(k Key) *Message {
	s.mu.Lock()
	var msgs []*Message
	if k.ID == model.Wildcard {
		rings := make([]*snapshotRing, 0, len(s.byType[k.Type]))
		for _, e := range s.byType[k.Type] {
			rings = append(rings, e.Value.(*snapshotRing))
		}
		slices.SortFunc(rings, func(a, b *snapshotRing) int { return cmp.Compare(a.stamp, b.stamp) })
		for _, r := range rings {
			msgs = append(msgs, r.latest())
		}
	} else if e := s.byKey[k]; e != nil {
		r := e.Value.(*snapshotRing)
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

// recent returns up to limit of the keys held that keep accepts, most recently published first.
func (s *snapshots) recent(limit int, keep func(Key) bool) []RecentKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RecentKey
	for e := s.lru.Front(); e != nil && len(out) < limit; e = e.Next() {
		r := e.Value.(*snapshotRing)
		if keep == nil || keep(r.key) {
			out = append(out, RecentKey{Key: r.key, LastMs: r.last})
		}
	}
	return out
}

// len is how many keys are held.
func (s *snapshots) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
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
