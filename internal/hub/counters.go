package hub

import (
	"sync"
	"sync/atomic"
)

// counters are a manager's running totals, kept as plain atomics so that counting costs the
// fan-out one uncontended add where it already does work, and read only when someone asks
// (Stats: the metrics endpoint reads them at scrape time).
type counters struct {
	published  atomic.Int64 // publishes
	delivered  atomic.Int64 // messages queued to connections
	dropped    atomic.Int64
	slowClosed atomic.Int64
	_          [64]byte     // the writers' counters below change on other goroutines: another cache line
	written    atomic.Int64 // frames written to clients (live batches, replay frames)
	_          [64]byte
	read       atomic.Int64 // frames read from clients (pings and pongs included)

	closesMu sync.Mutex
	closes   map[int]int64 // connections ended, by the close code the server sent (1006: aborted)
}

// closed counts a connection ended with code; it runs once per connection.
func (c *counters) closed(code int) {
	c.closesMu.Lock()
	if c.closes == nil {
		c.closes = map[int]int64{}
	}
	c.closes[code]++
	c.closesMu.Unlock()
}

// closesByCode returns a copy of the close counts.
func (c *counters) closesByCode() map[int]int64 {
	c.closesMu.Lock()
	defer c.closesMu.Unlock()
	out := make(map[int]int64, len(c.closes))
	for code, n := range c.closes {
		out[code] = n
	}
	return out
}
