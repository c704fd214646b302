package bus

import (
	"context"
	"sync/atomic"
)

// Counted is a Bus that counts what passes through it, for the metrics endpoint: publishes, the
// events they carried, refused publishes, and resubscriptions (the subscription coming back after
// an interruption; the first subscription is not one).
type Counted struct {
	Bus
	publishes, events, errors, resubscriptions atomic.Int64
	subscribedOnce                             atomic.Bool
}

// Count wraps b.
func Count(b Bus) *Counted { return &Counted{Bus: b} }

// Counts are a Counted bus's totals.
type Counts struct {
	Publishes, Events, Errors, Resubscriptions int64
}

// Counts returns the totals so far.
func (c *Counted) Counts() Counts {
	return Counts{c.publishes.Load(), c.events.Load(), c.errors.Load(), c.resubscriptions.Load()}
}

// Subscribe implements Bus.
func (c *Counted) Subscribe(deliver Deliver, resubscribed func()) {
	c.Bus.Subscribe(deliver, func() {
		if c.subscribedOnce.Swap(true) {
			c.resubscriptions.Add(1)
		}
		if resubscribed != nil {
			resubscribed()
		}
	})
}

// Publish implements Bus.
func (c *Counted) Publish(ctx context.Context, events ...Event) error {
	c.publishes.Add(1)
	c.events.Add(int64(len(events)))
	err := c.Bus.Publish(ctx, events...)
	if err != nil {
		c.errors.Add(1)
	}
	return err
}
