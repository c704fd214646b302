// Package bus carries encoded events from ingest to the managers that deliver them: directly in
// one process (Memory), or through Redis to every node of a cluster (Redis).
package bus

import "context"

// Channel says which manager an event is for.
type Channel uint8

const (
	RowData Channel = iota + 1
	Alarm
	Notice // a notice to one user (Event.User): every socket of that user, on every node
)

// Event is one item on its way to subscribers, already encoded as the outbound JSON object.
type Event struct {
	Channel      Channel
	BusinessType string
	BusinessId   string
	Seq          int64  // alarm events: the event's seq, so a resuming console skips what it replayed
	User         string // notices: the user whose sockets receive it
	Message      []byte
}

// Deliver hands an event to the local managers.
type Deliver func(Event)

// Bus moves events from ingest to every node's managers.
type Bus interface {
	// Subscribe starts handing this node's events to deliver. resubscribed runs each time the bus
	// has been back after an interruption, during which events may have been missed.
	Subscribe(deliver Deliver, resubscribed func())
	// Publish delivers the events in order, or returns an error and delivers none it could refuse.
	Publish(ctx context.Context, events ...Event) error
	// Ready reports why the bus cannot deliver now, or nil.
	Ready(ctx context.Context) error
	Close() error
}
