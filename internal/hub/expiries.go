package hub

import (
	"container/heap"
	"sync"
	"time"
)

// expiries closes connections whose grant expires: one heap of deadlines and one timer per
// manager, not a timer per connection. A refresh moves the connection within the heap; teardown
// takes it out.
type expiries struct {
	mu    sync.Mutex
	due   expiryHeap
	timer *time.Timer // armed for the earliest deadline; created by the first schedule

	now    func() time.Time // time.Now; tests set their own clock
	expire func(*Conn)      // closes with CloseTokenExpired; tests record instead
}

// schedule sets c's deadline; a zero one takes c out of the heap.
func (e *expiries) schedule(c *Conn, deadline time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case c.expiryGone:
		return // torn down: a late refresh must not put it back
	case deadline.IsZero():
		e.removeLocked(c)
		return
	case c.expiryIndex >= 0:
		c.expires = deadline
		heap.Fix(&e.due, c.expiryIndex)
	default:
		c.expires = deadline
		heap.Push(&e.due, c)
	}
	e.armLocked()
}

// remove forgets c for good (its teardown).
func (e *expiries) remove(c *Conn) {
	e.mu.Lock()
	c.expiryGone = true
	e.removeLocked(c)
	e.mu.Unlock()
}

func (e *expiries) removeLocked(c *Conn) {
	if c.expiryIndex >= 0 {
		heap.Remove(&e.due, c.expiryIndex)
	}
}

// armLocked points the timer at the earliest deadline. Called with e.mu held, so the timer always
// ends up armed for the heap's head, whichever of schedule and fire ran last.
func (e *expiries) armLocked() {
	if len(e.due) == 0 {
		return // a timer that fires finds nothing and does nothing
	}
	wait := e.due[0].expires.Sub(e.clock())
	if e.timer == nil {
		e.timer = time.AfterFunc(wait, e.fire)
		return
	}
	e.timer.Reset(wait)
}

// fire closes every connection whose deadline has passed.
func (e *expiries) fire() {
	now := e.clock()
	var expired []*Conn
	e.mu.Lock()
	for len(e.due) > 0 && !e.due[0].expires.After(now) {
		expired = append(expired, heap.Pop(&e.due).(*Conn))
	}
	e.armLocked()
	e.mu.Unlock()
	for _, c := range expired {
		if e.expire != nil {
			e.expire(c)
			continue
		}
		c.Close(CloseTokenExpired, "token expired")
	}
}

func (e *expiries) clock() time.Time {
	if e.now != nil {
		return e.now()
	}
	return time.Now()
}

// expiryHeap orders connections by deadline; each knows its index (-1 when not in the heap).
type expiryHeap []*Conn

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].expiryIndex, h[j].expiryIndex = i, j
}
func (h *expiryHeap) Push(x any) {
	c := x.(*Conn)
	c.expiryIndex = len(*h)
	*h = append(*h, c)
}
func (h *expiryHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	c.expiryIndex = -1
	return c
}
