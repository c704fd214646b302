package hub

import "sync/atomic"

// counters are a manager's running totals, read only when someone asks (Stats: the metrics
// endpoint reads them at scrape time). The publisher's are shared atomics, added to once per
// publish. Frames are counted where they are written or read: by each of the manager's writers
// (writer.framesWritten, once per round), and per connection (Conn.framesWritten,
// frameConn.framesRead) where only that connection's goroutine or reader adds, so that thousands
// of goroutines never contend for one cache line; a connection's counts join the manager's when
// it is removed.
type counters struct {
	published  atomic.Int64 // publishes
	delivered  atomic.Int64 // messages queued to connections
	dropped    atomic.Int64
	coalesced  atomic.Int64 // messages a newer one of their key replaced in a full queue
	slowClosed atomic.Int64

	// Guarded by Manager.mu, so that a scrape (holding it shared) sees a connection's frames either
	// in the live connection or here, never in both or neither: the totals never go back.
	written, read int64         // frames of the connections removed so far
	closes        map[int]int64 // connections ended, by the close code the server sent (1006: aborted)
}

// removed adds the counts of c, ended with code, to the totals; called with Manager.mu held.
func (k *counters) removed(c *Conn, code int) {
	k.written += c.framesWritten.Load()
	k.read += c.framesRead()
	if k.closes == nil {
		k.closes = map[int]int64{}
	}
	k.closes[code]++
}

// frames returns the frames written to and read from clients so far, the removed connections' and
// the open ones'; called with Manager.mu held (shared is enough).
func (m *Manager) frames() (written, read int64) {
	written, read = m.counters.written, m.counters.read
	for i := range m.writers {
		written += m.writers[i].framesWritten.Load()
	}
	m.router.All(func(c *Conn) {
		written += c.framesWritten.Load()
		read += c.framesRead()
	})
	return written, read
}

// framesRead is how many frames the connection's reader has read (counted where frames are
// parsed: connections upgraded by Upgrade).
func (c *Conn) framesRead() int64 {
	if c.frames == nil {
		return 0
	}
	return c.frames.framesRead.Load()
}
