// Package loadgen is the engine of `pulse bench`: it opens many subscriber WebSockets to running
// Pulse servers, publishes row data through their ingest API at a paced rate, and measures what
// arrives: deliveries per second, end-to-end latency, and exactly which items were lost or
// duplicated. It uses only the public contract (HTTP, WebSocket, /healthz), so it measures any
// Pulse node or cluster from outside.
package loadgen

import (
	"errors"
	"fmt"
	"time"
)

// Config is one load-tool run.
type Config struct {
	Addrs         []string      // server base addresses (host:port); subscribers and publishes go round-robin
	Subs          int           // subscriber connections
	Keys          int           // subscriber i follows key i%Keys
	Rates         []float64     // publishes per second, one step each
	Duration      time.Duration // length of each step (idle mode: how long the connections are held)
	Payload       int           // bytes of each item's data
	Batch         int           // items per POST; 0 = enough that POSTs stay at or below about 2,000/s
	DialParallel  int           // concurrent WebSocket handshakes
	Idle          bool          // open idle subscribers only, publish nothing
	PID           int           // server process whose RSS growth idle mode reports (0 = none)
	SLO           time.Duration // a step passes when nothing is lost or duplicated and p99 is below this
	StopOnFail    bool          // stop stepping after the first step that does not pass
	StragglerWait time.Duration // after a step, how long to wait for deliveries still on their way
	ReadInterval  time.Duration // a busy subscriber starts at most one read per interval (see gate); <0: no limit
	Token         string        // a JWT the subscribers send (Authorization: Bearer); their userName is then its sub
	IngestKey     string        // an ingest key the publisher sends (Authorization: Bearer)
}

// Defaults of the optional fields.
const (
	DefaultPayload       = 64
	DefaultDialParallel  = 64
	DefaultSLO           = 250 * time.Millisecond
	DefaultStragglerWait = 2 * time.Second
	DefaultReadInterval  = 5 * time.Millisecond
	maxPostsPerSecond    = 2000
	maxBatch             = 1000 // the ingest API's limit per request
)

// withDefaults fills in the optional fields.
func (c Config) withDefaults() Config {
	if c.Payload == 0 {
		c.Payload = DefaultPayload
	}
	if c.DialParallel <= 0 {
		c.DialParallel = DefaultDialParallel
	}
	if c.SLO == 0 {
		c.SLO = DefaultSLO
	}
	if c.StragglerWait == 0 {
		c.StragglerWait = DefaultStragglerWait
	}
	if c.ReadInterval == 0 {
		c.ReadInterval = DefaultReadInterval
	}
	if c.Keys == 0 {
		c.Keys = 1
	}
	return c
}

// check reports the first setting that cannot work.
func (c Config) check() error {
	switch {
	case len(c.Addrs) == 0:
		return errors.New("--addr: give at least one server address, such as 127.0.0.1:8000")
	case c.Subs <= 0:
		return errors.New("--subs: must be positive")
	case c.Keys <= 0 || c.Keys > c.Subs:
		return fmt.Errorf("--keys: must be 1 to --subs (%d), got %d", c.Subs, c.Keys)
	case c.Duration <= 0:
		return errors.New("--duration: must be positive, such as 10s")
	case c.Batch < 0 || c.Batch > maxBatch:
		return fmt.Errorf("--batch: must be 0 (automatic) to %d, got %d", maxBatch, c.Batch)
	case !c.Idle && len(c.Rates) == 0:
		return errors.New("--rate: give one or more rates (publishes per second), such as 1000 or 100,200,400")
	}
	for _, r := range c.Rates {
		if r <= 0 {
			return fmt.Errorf("--rate: rates must be positive, got %g", r)
		}
	}
	if c.Token != "" {
		if _, err := tokenSubject(c.Token); err != nil {
			return err
		}
	}
	return checkIngestKey(c.IngestKey)
}

// batchFor is the number of items per POST at rate.
func (c Config) batchFor(rate float64) int {
	if c.Batch > 0 {
		return c.Batch
	}
	b := int(rate/maxPostsPerSecond) + 1
	return min(b, maxBatch)
}
