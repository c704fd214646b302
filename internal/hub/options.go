package hub

import "time"

// Overflow says what happens when a connection's send queue is full.
type Overflow uint8

const (
	// DropOldest discards the oldest queued message and counts the drop (charts want the freshest point).
	DropOldest Overflow = iota
	// CloseSlow closes the connection with 1013 (try again later): nothing is skipped silently,
	// and the client resumes from where it was.
	CloseSlow
)

// Options are a manager's per-connection limits and timers.
type Options struct {
	MaxMessageSize int64         // largest inbound frame; larger closes with 1009
	PingInterval   time.Duration // server pings this often
	PongTimeout    time.Duration // no frame from the client for this long: dropped
	WriteTimeout   time.Duration // one write (or close frame) may take this long
	SendQueue      int           // outbound messages a connection may hold
	CloseGrace     time.Duration // wait this long for the client's close reply before closing TCP
	// WriteDelay is how long a woken writer waits before it drains the queue, so that what is
	// published meanwhile leaves in the same frame and the same syscall. 0 writes at once.
	WriteDelay time.Duration
	// MessageTimeout is how long a client may take to send one message, from its first frame to
	// its last. Over it the connection is closed with 1008: pings and empty continuations
	// inside a message are signs of life, so without it a client could hold a reader forever.
	MessageTimeout time.Duration
	// InboundRate is how many frames per second a client may send (burst twice that); a client
	// over it is closed with 1008. 0 = no limit.
	InboundRate float64
	Overflow    Overflow
	// SnapshotSize > 0 keeps the latest SnapshotSize messages published to each exact key (type
	// and id), for at most SnapshotKeys keys (least recently published forgotten first). A new
	// subscriber of (T, I) first gets that key's messages, of (T, *) the latest of each id of T,
	// each marked "snapshot":true.
	SnapshotSize int
	SnapshotKeys int
}

// DefaultOptions are the contract's defaults.
func DefaultOptions() Options {
	return Options{
		MaxMessageSize: 4096,
		PingInterval:   25 * time.Second,
		PongTimeout:    60 * time.Second,
		WriteTimeout:   10 * time.Second,
		SendQueue:      256,
		CloseGrace:     time.Second,
		// A message is at most MaxMessageSize (4 KiB by default) and clients send small JSON
		// objects: a live client sends one in well under a second, even over a poor mobile link.
		// 10 s leaves room for retransmissions and a larger MaxMessageSize, and is much shorter
		// than PongTimeout, which is all that bounded a message before.
		MessageTimeout: 10 * time.Second,
	}
}

// withDefaults fills zero fields from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = d.MaxMessageSize
	}
	if o.PingInterval <= 0 {
		o.PingInterval = d.PingInterval
	}
	if o.PongTimeout <= 0 {
		o.PongTimeout = d.PongTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = d.WriteTimeout
	}
	if o.SendQueue <= 0 {
		o.SendQueue = d.SendQueue
	}
	if o.CloseGrace <= 0 {
		o.CloseGrace = d.CloseGrace
	}
	if o.MessageTimeout <= 0 {
		o.MessageTimeout = d.MessageTimeout
	}
	if o.SnapshotKeys <= 0 {
		o.SnapshotKeys = 10000
	}
	return o
}
