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
	// Coalesce keeps only the newest message of each key (businessType, businessId) in a full
	// queue, so that a slow client sees fewer but current values of every key it follows (see
	// coalesce.go). Messages with a seq (alarms) and messages published to no key are never
	// coalesced.
	Coalesce
)

// Options are a manager's per-connection limits and timers.
type Options struct {
	MaxMessageSize int64         // largest inbound message, all its frames together; larger closes with 1009
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
	// and id). A new subscriber of (T, I) first gets that key's messages, of (T, *) the latest of
	// each id of T, each marked "snapshot":true.
	SnapshotSize int
	// SnapshotMemory bounds the bytes the snapshots and the history hold, counted as allocated
	// (snapshot_cost.go), shared fairly between business types: a type within SnapshotMemory /
	// (types held) keeps every key; over the bound, the type holding the most gives up its least
	// recently published key first (its history, then the key). 0 is DefaultOptions' 256 MiB.
	SnapshotMemory int64
	// HistoryPoints > 0 also keeps, for each exact key, up to HistoryPoints messages received
	// within HistoryWindow (the snapshot is the latest of them), for History. They share
	// SnapshotMemory with the snapshots: over the bound, the type holding the most lets go of its
	// least recently published key's history, oldest first, before the key. 0 keeps none.
	HistoryPoints int
	// HistoryWindow is how long a message stays in its key's history. 0 is DefaultOptions' 15m.
	HistoryWindow time.Duration
}

// DefaultOptions are the engine's defaults, which NewManager gives every field left zero (or
// negative). WriteDelay, InboundRate, SnapshotSize and HistoryPoints are the exceptions: 0 turns
// them off, so the engine leaves them off and whoever runs it turns them on (Pulse's
// config.Default does, with ws.writeDelay 2ms, ws.inboundRate 20, rowdata.snapshotSize 20 and
// rowdata.historyPoints 900).
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
		SnapshotMemory: 256 << 20,
		HistoryWindow:  15 * time.Minute,
	}
}

// withDefaults fills the fields that must be positive from DefaultOptions where they are not.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	o.MaxMessageSize = positiveOr(o.MaxMessageSize, d.MaxMessageSize)
	o.PingInterval = positiveOr(o.PingInterval, d.PingInterval)
	o.PongTimeout = positiveOr(o.PongTimeout, d.PongTimeout)
	o.WriteTimeout = positiveOr(o.WriteTimeout, d.WriteTimeout)
	o.SendQueue = positiveOr(o.SendQueue, d.SendQueue)
	o.CloseGrace = positiveOr(o.CloseGrace, d.CloseGrace)
	o.MessageTimeout = positiveOr(o.MessageTimeout, d.MessageTimeout)
	o.SnapshotMemory = positiveOr(o.SnapshotMemory, d.SnapshotMemory)
	o.HistoryWindow = positiveOr(o.HistoryWindow, d.HistoryWindow)
	return o
}

// positiveOr is v if it is positive, else def.
func positiveOr[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
