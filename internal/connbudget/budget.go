// Package connbudget bounds the TCP connections a server holds over all its listeners, so that
// its descriptors never run out: at the bound, the connection that has waited longest without
// completing its first request is closed to make room for the new one. A connection whose first
// request has reached the handler (an API call, a WebSocket handshake, a scrape) is never closed
// to make room; when every held connection is one, the new connection is closed instead.
//
// The budget costs O(1) per accepted connection and per first request, under one mutex, and
// starts no goroutine. It knows net/http only to find a request's connection (Served).
package connbudget

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
)

// Budget is the most TCP connections the listeners wrapped with it hold together.
type Budget struct {
	limit int // 0: no bound, connections are only counted

	mu      sync.Mutex
	held    int
	waiting queue // held connections whose first request has not reached the handler, oldest first

	closedIdle   atomic.Int64
	closedFull   atomic.Int64
	acceptErrors atomic.Int64
}

// New returns a budget of limit connections; 0 or less counts them without a bound.
func New(limit int) *Budget { return &Budget{limit: max(limit, 0)} }

// Stats are a budget's counts.
type Stats struct {
	Limit int // 0: no bound
	Held  int // connections open now, upgraded ones included
	// ClosedIdle counts connections closed to make room: each had not completed its first request.
	ClosedIdle int64
	// ClosedFull counts new connections closed at once: every held connection had completed a request.
	ClosedFull int64
	// AcceptErrors counts the errors accepting returned (a closed listener's aside).
	AcceptErrors int64
}

// Stats returns the budget's counts.
func (b *Budget) Stats() Stats {
	b.mu.Lock()
	held := b.held
	b.mu.Unlock()
	return Stats{Limit: b.limit, Held: held, ClosedIdle: b.closedIdle.Load(),
		ClosedFull: b.closedFull.Load(), AcceptErrors: b.acceptErrors.Load()}
}

// Wrap returns ln with each accepted connection counted against b until it is closed.
func (b *Budget) Wrap(ln net.Listener) net.Listener { return &listener{Listener: ln, b: b} }

// Served marks the connection r arrived on as having completed a request, so that it is never
// closed to make room. After the first request of a connection it costs one atomic load. A request
// that did not arrive through a wrapped listener is left alone.
func Served(r *http.Request) {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(*localAddr); ok {
		a.c.served()
	}
}

type listener struct {
	net.Listener
	b *Budget
}

// Accept returns the next connection the budget admits. Connections it cannot admit are closed
// and the next one is accepted: each was taken from the backlog, so the loop waits when the backlog
// is empty. Errors are returned as they came, for http.Server's back-off on temporary ones.
func (l *listener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				l.b.acceptErrors.Add(1)
			}
			return nil, err
		}
		c := &conn{Conn: nc, b: l.b}
		c.local = localAddr{Addr: nc.LocalAddr(), c: c}
		victim, ok := l.b.admit(c)
		if victim != nil {
			_ = victim.Conn.Close() // its own Close, when its server goroutine calls it, finds it released
		}
		if ok {
			return c, nil
		}
		_ = nc.Close()
	}
}

// admit counts c in, making room by releasing the oldest waiting connection (returned, to be
// closed) when the budget is spent. It reports false when there is no room to make.
func (b *Budget) admit(c *conn) (victim *conn, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 && b.held >= b.limit {
		victim = b.waiting.front()
		if victim == nil {
			b.closedFull.Add(1)
			return nil, false
		}
		b.waiting.remove(victim)
		victim.state = released
		b.held--
		b.closedIdle.Add(1)
	}
	b.held++
	c.state = waiting
	b.waiting.pushBack(c)
	return victim, true
}

// release counts c out; it reports false when c was counted out already.
func (b *Budget) release(c *conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch c.state {
	case released:
		return false
	case waiting:
		b.waiting.remove(c)
	}
	c.state = released
	b.held--
	return true
}

// The states of a held connection, guarded by Budget.mu.
const (
	waiting  = iota // accepted, first request not yet at the handler: closed first to make room
	served          // a request reached the handler: never closed to make room
	released        // closed (or being closed to make room): no longer counted
)

// conn is an accepted connection while the budget counts it.
type conn struct {
	net.Conn
	b          *Budget
	local      localAddr
	prev, next *conn // in b.waiting, guarded by b.mu
	state      int   // guarded by b.mu
	marked     atomic.Bool
}

// Close closes the connection and counts it out, once: later calls return nil.
func (c *conn) Close() error {
	if !c.b.release(c) {
		return nil
	}
	return c.Conn.Close()
}

// LocalAddr is the connection's local address, carrying the connection so that Served finds it
// from http.LocalAddrContextKey, which net/http sets from this method for every request.
func (c *conn) LocalAddr() net.Addr { return &c.local }

// SyscallConn is the socket's, when it has one: the connection reads and writes the socket's bytes
// unchanged, so whoever reads the descriptor directly (the hub's poller) may.
func (c *conn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// CloseWrite shuts down the writing side of the socket, when it can.
func (c *conn) CloseWrite() error {
	if half, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return half.CloseWrite()
	}
	return errors.ErrUnsupported
}

func (c *conn) served() {
	if c.marked.Load() || !c.marked.CompareAndSwap(false, true) {
		return
	}
	c.b.mu.Lock()
	if c.state == waiting {
		c.b.waiting.remove(c)
		c.state = served
	}
	c.b.mu.Unlock()
}

// localAddr is a connection's local address and the connection.
type localAddr struct {
	net.Addr
	c *conn
}

// queue is a doubly linked list of connections threaded through them: push, remove and front in
// O(1) without allocating.
type queue struct{ head, tail *conn }

func (q *queue) front() *conn { return q.head }

func (q *queue) pushBack(c *conn) {
	c.prev, c.next = q.tail, nil
	if q.tail != nil {
		q.tail.next = c
	} else {
		q.head = c
	}
	q.tail = c
}

func (q *queue) remove(c *conn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		q.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		q.tail = c.prev
	}
	c.prev, c.next = nil, nil
}
