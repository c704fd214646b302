package bus

import "context"

// Memory is the single-node bus: Publish hands events straight to the local managers. It is never
// interrupted, so it never calls resubscribed.
type Memory struct {
	deliver Deliver
}

// NewMemory returns the single-node bus.
func NewMemory() *Memory { return &Memory{} }

// Subscribe implements Bus; call it before the first Publish.
func (m *Memory) Subscribe(deliver Deliver, _ func()) { m.deliver = deliver }

// Publish implements Bus.
func (m *Memory) Publish(_ context.Context, events ...Event) error {
	for _, e := range events {
		m.deliver(e)
	}
	return nil
}

// Ready implements Bus.
func (m *Memory) Ready(context.Context) error { return nil }

// Close implements Bus.
func (m *Memory) Close() error { return nil }
