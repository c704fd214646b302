package bus

import "context"

// Memory is the single-node bus: Publish hands events straight to the local managers.
type Memory struct {
	deliver Deliver
}

// NewMemory returns a bus that calls deliver for every event.
func NewMemory(deliver Deliver) *Memory { return &Memory{deliver: deliver} }

// Publish implements Bus.
func (m *Memory) Publish(_ context.Context, events ...Event) error {
	for _, e := range events {
		m.deliver(e)
	}
	return nil
}

// Close implements Bus.
func (m *Memory) Close() error { return nil }
