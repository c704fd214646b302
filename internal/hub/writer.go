package hub

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// writer is the fast path from a publish to the sockets: one goroutine that writes each
// publish's message to its recipients, and the queues of connections put in its line, without
// ever waiting for a socket. A manager has one per core the process may use (GOMAXPROCS), and
// each connection belongs to one of them, so that its messages keep their order. A broadcast to
// 10,000 subscribers so costs one goroutine, not 10,000 that each start, grow a stack, wait out
// the write delay and exit; and a connection with nothing queued is written straight from the
// publish, one lock and one system call: what is left is the writes.
//
// A connection is written here only while it has nothing but data to write and its socket takes
// it: a write that would wait (a full socket buffer, a slow client), a ping, a close or a replay
// go to the connection's own goroutine (Conn.writeLoop), which may block for up to WriteTimeout,
// and which hands the connection back when its queue is empty.
//
// The goroutine runs only while there is work: the first publish or connection in line starts
// it, and it exits when both lists are empty.
type writer struct {
	index int           // in Manager.writers
	delay time.Duration // Options.WriteDelay: how long a started writer waits for more to come

	mu         sync.Mutex
	broadcasts []broadcast // publishes to write, in the order they came
	ready      []*Conn     // connections whose queues to write
	running    bool

	framesWritten atomic.Int64 // data frames written (see counters)

	// The goroutine's own.
	nw     *nowaitWrite
	spare  []*Conn     // the previous round's ready list, reused
	spareB []broadcast // and its broadcasts
	frame  []byte      // the frame being written
	framed *Message    // frame is this message's alone (nil: a batch's); held, so its address is not reused
}

// broadcast is one publish for the writer: msg, published to key, to each of conns. One with a
// done channel instead is a barrier (see sync).
type broadcast struct {
	msg   *Message
	key   Key      // for the queues that coalesce (coalesce.go)
	conns *[]*Conn // from recipientPool; returned to it once written
	done  chan struct{}
}

// publish hands the writer msg, published to key, for conns, its share of a publish's recipients.
func (w *writer) publish(msg *Message, key Key, conns *[]*Conn) {
	w.mu.Lock()
	w.broadcasts = append(w.broadcasts, broadcast{msg: msg, key: key, conns: conns})
	w.startAndUnlock()
}

// sync returns a channel closed once the writer has handled every publish handed to it before:
// written, or queued on its connections.
func (w *writer) sync() <-chan struct{} {
	done := make(chan struct{})
	w.mu.Lock()
	w.broadcasts = append(w.broadcasts, broadcast{done: done})
	w.startAndUnlock()
	return done
}

// add puts c, whose state is writerQueued, in line.
func (w *writer) add(c *Conn) {
	w.mu.Lock()
	w.ready = append(w.ready, c)
	w.startAndUnlock()
}

// startAndUnlock starts the goroutine if it is not running; called with w.mu held, it releases it.
func (w *writer) startAndUnlock() {
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		go w.run()
	}
}

// run writes the ready connections, round after round, until none is left.
func (w *writer) run() {
	if w.nw == nil {
		w.nw = newNowaitWrite()
	}
	if w.delay > 0 {
		time.Sleep(w.delay) // let the queues fill: one write of many objects costs little more than one
	}
	for {
		w.mu.Lock()
		broadcasts, conns := w.broadcasts, w.ready
		if len(broadcasts) == 0 && len(conns) == 0 {
			w.framed = nil // let the message go
			if cap(w.frame) > maxKeptFrame {
				w.frame = nil
			}
			w.running = false
			w.mu.Unlock()
			return
		}
		w.broadcasts, w.ready = w.spareB, w.spare
		w.mu.Unlock()
		// One publish in the round: written straight to the sockets. More: they came faster than
		// they could be written, so each is queued, and the next round writes every connection's
		// queue as one frame: one system call per connection for all of them.
		direct := publishes(broadcasts) == 1
		written := int64(0)
		for i, b := range broadcasts {
			if b.done != nil {
				close(b.done)
				broadcasts[i] = broadcast{}
				continue
			}
			list := *b.conns
			for j, c := range list {
				prefetchAhead(list, j)
				if !direct {
					c.mu.Lock()
					c.sendAndUnlock(b.msg, b.key)
				} else if c.deliver(w, b.msg, b.key) {
					written++
				}
			}
			recipientPool.put(b.conns)
			broadcasts[i] = broadcast{}
		}
		for i, c := range conns {
			prefetchAhead(conns, i)
			if c.writeReady(w) {
				written++
			}
			conns[i] = nil
		}
		w.framesWritten.Add(written)
		w.spareB, w.spare = broadcasts[:0], conns[:0]
	}
}

// maxKeptFrame is the largest frame buffer an idle writer keeps.
const maxKeptFrame = 64 << 10

// prefetchAhead, before the writer writes to conns[i], asks for what it will read of the next
// ones: the first line of conns[i+2] and the socket (frameConn) of conns[i+1], whose Conn was
// asked for one turn before. Each connection is in memory no other recipient shares, so without
// it each costs two cache misses the writer waits for: measured with perf on a broadcast to
// 10,000 subscribers, a quarter of the server's time outside the kernel, ~5 % of all of it (the
// write system calls are most of the rest).
func prefetchAhead(conns []*Conn, i int) {
	if i+2 < len(conns) {
		prefetch(unsafe.Pointer(conns[i+2]))
	}
	if i+1 < len(conns) {
		if f := conns[i+1].frames; f != nil {
			prefetch(unsafe.Pointer(f))
		}
	}
}

// publishes counts the publishes among broadcasts (the others are barriers).
func publishes(broadcasts []broadcast) int {
	n := 0
	for _, b := range broadcasts {
		if b.done == nil {
			n++
		}
	}
	return n
}

// frameOf is batch as one text frame, in w.frame. A broadcast writes the same message to every
// subscriber: its frame is built once.
func (w *writer) frameOf(batch ...*Message) []byte {
	if len(batch) == 1 && batch[0] == w.framed {
		return w.frame
	}
	w.frame, w.framed = appendTextFrame(w.frame[:0], batch), nil
	if len(batch) == 1 {
		w.framed = batch[0]
	}
	return w.frame
}

// pingAnd is a ping frame followed, when batch has messages, by their text frame, in w.frame:
// the pinger's ping leaves with the data in one write, or alone, without a goroutine.
func (w *writer) pingAnd(batch []*Message) []byte {
	w.frame, w.framed = append(w.frame[:0], pingFrame...), nil
	if len(batch) > 0 {
		w.frame = appendTextFrame(w.frame, batch)
	}
	return w.frame
}

// pingFrame is a server's ping with no payload, as gorilla's WriteControl writes it.
var pingFrame = []byte{0x80 | wsframe.OpPing, 0}

// appendTextFrame appends batch as one unmasked text frame of newline-separated objects.
func appendTextFrame(b []byte, batch []*Message) []byte {
	n := len(batch) - 1
	for _, m := range batch {
		n += len(m.data)
	}
	b = wsframe.AppendText(b, n)
	for i, m := range batch {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, m.data...)
	}
	return b
}

// recipientPool holds the lists of connections a publish hands its writers, reused.
var recipientPool = recipientLists{pool: sync.Pool{New: func() any { return new([]*Conn) }}}

type recipientLists struct{ pool sync.Pool }

func (r *recipientLists) get() *[]*Conn { return r.pool.Get().(*[]*Conn) }

// put returns a list, emptied; a very long one is let go, so that one huge broadcast does not
// leave its list in the pool for good.
func (r *recipientLists) put(l *[]*Conn) {
	clear(*l)
	if cap(*l) > maxPooledRecipients {
		return
	}
	*l = (*l)[:0]
	r.pool.Put(l)
}

const maxPooledRecipients = 1 << 16
