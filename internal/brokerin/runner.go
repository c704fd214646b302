package brokerin

import "context"

// Runner is a broker source as the node runs it (internal/app): started after the server, stopped
// before the alarm store closes.
type Runner interface {
	// Name is the source's name: its /readyz check and metrics label.
	Name() string
	// Start connects and subscribes in the background and returns at once: a broker that cannot
	// be reached at start is retried with back-off, never fatal to the node.
	Start(ctx context.Context) error
	// Stop stops taking messages, lets the ones being handled finish (or leaves them
	// unacknowledged, for redelivery) and disconnects, by the end of ctx.
	Stop(ctx context.Context) error
	// Stats is what the source counted and the state of its connections.
	Stats() *Stats
	// Describe says, for the start log, where it connects and what it subscribes to.
	Describe() string
}
