package idempotency

import (
	"container/list"
	"sync"
	"time"
)

// Recent is the keys of the last requests answered 2xx, for replay: at most max of them, the
// oldest dropped first, none older than the window. It serves requests whose answer follows from
// their body alone (row data: the count of its items), so a key and its body's sum are all it
// keeps. It holds what one node answered: row data never reaches the database, so its keys are
// not shared between nodes nor kept across restarts.
type Recent struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	byID   map[id]*list.Element
	order  *list.List // of *entry, oldest first
}

type entry struct {
	id  id
	sum [32]byte
	at  time.Time
}

// NewRecent keeps up to max keys for window each.
func NewRecent(max int, window time.Duration) *Recent {
	return &Recent{max: max, window: window, now: time.Now, byID: make(map[id]*list.Element), order: list.New()}
}

// Answered reports whether k was kept. A key kept with another body is refused (422 code 1422).
func (r *Recent) Answered(k Key) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire()
	e, ok := r.byID[k.id()]
	if !ok {
		return false, nil
	}
	kept := e.Value.(*entry)
	if kept.sum != k.Sum {
		return false, Reused(k)
	}
	return true, nil
}

// Put keeps k, dropping the oldest key when max are kept.
func (r *Recent) Put(k Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire()
	if e, ok := r.byID[k.id()]; ok { // kept meanwhile (InFlight prevents it on one node)
		r.order.Remove(e)
	}
	r.byID[k.id()] = r.order.PushBack(&entry{id: k.id(), sum: k.Sum, at: r.now()})
	for r.order.Len() > r.max {
		r.drop(r.order.Front())
	}
}

// Len is how many keys are kept.
func (r *Recent) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.order.Len()
}

// expire drops the keys older than the window: the oldest are at the front.
func (r *Recent) expire() {
	cutoff := r.now().Add(-r.window)
	for e := r.order.Front(); e != nil && e.Value.(*entry).at.Before(cutoff); e = r.order.Front() {
		r.drop(e)
	}
}

func (r *Recent) drop(e *list.Element) {
	delete(r.byID, e.Value.(*entry).id)
	r.order.Remove(e)
}
