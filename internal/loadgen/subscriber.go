package loadgen

import (
	"bytes"
	"slices"
	"sync"
	"time"
)

// maxSeqSpan bounds a subscriber's bitmap: an item numbered further than this past the step's
// first is treated as unreadable rather than allocating for it.
const maxSeqSpan = 1 << 32

// subscriber is one WebSocket following one key. Its reader goroutine checks every item against a
// bitmap of the key's sequence numbers of the current step: a set bit is a duplicate, and the bits
// missing at the end are losses. Everything here is guarded by mu, which only the reader and, between
// steps, the coordinator take.
type subscriber struct {
	conn *wsConn
	key  int
	id   []byte // businessId of key

	mu       sync.Mutex
	step     *stepState // nil between steps and in idle mode: items are ignored
	base     uint64     // the key's first sequence number of this step
	bits     []uint64   // bit i: item base+i arrived
	tally    tally
	lastRecv int64 // unix ns of the last new item
}

// tally is what one subscriber saw during one step.
type tally struct {
	distinct  int64 // items of this step, each counted once
	dups      int64 // items that arrived again
	misrouted int64 // items of another key
	late      int64 // items of an earlier step
	mangled   int64 // row-data objects the tool could not read
}

func (t *tally) add(o tally) {
	t.distinct += o.distinct
	t.dups += o.dups
	t.misrouted += o.misrouted
	t.late += o.late
	t.mangled += o.mangled
}

// framePool holds the buffers messages are read into, shared by every subscriber.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

// read receives messages until the connection fails, then calls gone with the error.
func (s *subscriber) read(gone func(error)) {
	for {
		text, err := s.conn.next() // takes no buffer: an idle subscriber waits here
		if err == nil {
			buf := framePool.Get().(*[]byte)
			*buf, err = s.conn.readMessage((*buf)[:0], !text)
			if err == nil && text {
				s.receive(*buf, time.Now().UnixNano())
			}
			framePool.Put(buf)
		}
		if err != nil {
			gone(err)
			return
		}
	}
}

// receive checks every object of one frame, received at now (unix ns).
func (s *subscriber) receive(frame []byte, now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.step
	if st == nil {
		return
	}
	var fresh int64
	for len(frame) > 0 {
		obj := frame
		if i := bytes.IndexByte(frame, '\n'); i >= 0 {
			obj, frame = frame[:i], frame[i+1:]
		} else {
			frame = nil
		}
		p, kind := parseObject(obj)
		switch {
		case kind == kindOther:
			continue
		case kind == kindMangled:
			s.tally.mangled++
			continue
		case !bytes.Equal(p.id, s.id):
			s.tally.misrouted++
			continue
		case p.seq < s.base:
			s.tally.late++
			continue
		case p.seq-s.base >= maxSeqSpan:
			s.tally.mangled++
			continue
		}
		i := p.seq - s.base
		w, bit := int(i/64), uint64(1)<<(i%64)
		if w >= len(s.bits) {
			s.grow(w + 1)
		}
		if s.bits[w]&bit != 0 {
			s.tally.dups++
			continue
		}
		s.bits[w] |= bit
		s.tally.distinct++
		fresh++
		st.hist.Record(time.Duration(now - p.t))
	}
	if fresh > 0 {
		st.delivered.Add(fresh)
		s.lastRecv = now
	}
}

// grow makes the bitmap at least n words long; the words past its length are always zero.
func (s *subscriber) grow(n int) {
	n = max(n, 2*len(s.bits))
	s.bits = slices.Grow(s.bits, n-len(s.bits))[:n]
}

// begin starts counting the items of step st, whose first sequence number for this key is base.
func (s *subscriber) begin(st *stepState, base uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.step, s.base, s.tally, s.lastRecv = st, base, tally{}, 0
	clear(s.bits) // keep the words past the length zero, as grow expects
	s.bits = s.bits[:0]
}

// end stops counting and returns what the step delivered and when the last new item came.
func (s *subscriber) end() (tally, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.step = nil
	return s.tally, s.lastRecv
}
