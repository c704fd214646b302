package loadgen

import (
	"sync"
	"time"
)

// A gate spaces out the reads of busy subscribers. A server that writes one frame per item makes a
// reader that reads as soon as data arrives pay a read syscall (and a futile one after it) for every
// item, which on one core caps the tool far below what a fast server delivers. Through the gate a
// connection starts at most one read per round (ReadInterval), so that one read takes everything
// that arrived meanwhile; a quiet connection is read as soon as data arrives. The cost is up to one
// round of extra latency for items that arrive faster than the rounds.
type gate struct {
	mu    sync.Mutex
	round uint64
	next  chan struct{} // closed when the round ends
	stop  chan struct{}
}

func newGate(interval time.Duration) *gate {
	g := &gate{next: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-g.stop:
				g.mu.Lock()
				close(g.next) // and leave it closed: nobody waits any more
				g.mu.Unlock()
				return
			case <-t.C:
				g.mu.Lock()
				close(g.next)
				g.round, g.next = g.round+1, make(chan struct{})
				g.mu.Unlock()
			}
		}
	}()
	return g
}

// now is the current round and the channel closed when it ends.
func (g *gate) now() (uint64, chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.round, g.next
}

func (g *gate) close() { close(g.stop) }

// gatedReads is a subscriber's place at the gate. Only the subscriber's reader goroutine uses it.
type gatedReads struct {
	gate      *gate  // nil: no gate
	atMessage bool   // the next read starts a new message: it may wait for the next round
	round     uint64 // round of the last read that started a message, plus one (0: none yet)
}

// wait is called before every read. Before a read that starts a message it waits for the next round
// when a read has already started one in this round; reads in the middle of a message never wait.
func (c *gatedReads) wait() {
	if c.gate != nil && c.atMessage {
		r, next := c.gate.now()
		if c.round == r+1 {
			<-next
			r++
		}
		c.round = r + 1
	}
	c.atMessage = false
}
