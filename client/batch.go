package client

import (
	"context"
	"sync"
	"time"
)

// batcher buffers the items of one kind and sends them, oldest first, in batches of up to the
// client's batch size, from a goroutine of its own: one batch at a time, so a kind's items reach
// the server in the order they were given (an alarm's clear after its raise).
type batcher[T any] struct {
	c    *Client
	send func(ctx context.Context, body []byte) error

	mu      sync.Mutex // held briefly, never across a send
	pending []pendingItem[T]
	// pendingBytes is about the encoded size of pending, to wake the goroutine when it would
	// fill a batch's body.
	pendingBytes int
	added        int64         // items ever added
	done         int64         // items delivered or failed
	flushTo      int64         // send partial batches until done reaches this
	closing      bool          // Close was called: send everything, then stop
	room         chan struct{} // closed when pending shrinks
	advance      chan struct{} // closed when done grows

	wake    chan struct{} // (1) something to send
	stopped chan struct{} // closed when the goroutine has ended
}

type pendingItem[T any] struct {
	item T
	enc  []byte
}

// maxPendingBatches is how many full batches may wait before a send waits for room.
const maxPendingBatches = 4

func newBatcher[T any](c *Client, send func(ctx context.Context, body []byte) error) *batcher[T] {
	b := &batcher[T]{
		c: c, send: send,
		room: make(chan struct{}), advance: make(chan struct{}),
		wake: make(chan struct{}, 1), stopped: make(chan struct{}),
	}
	go b.run()
	return b
}

// add buffers item (enc is its JSON), waiting for room while ctx allows.
func (b *batcher[T]) add(ctx context.Context, item T, enc []byte) error {
	for {
		b.mu.Lock()
		if b.closing {
			b.mu.Unlock()
			return ErrClosed
		}
		if len(b.pending) < maxPendingBatches*b.c.batchSize {
			b.pending = append(b.pending, pendingItem[T]{item, enc})
			b.added++
			b.pendingBytes += len(enc) + 1
			full := len(b.pending) >= b.c.batchSize || b.pendingBytes >= maxBatchBytes
			b.mu.Unlock()
			if full {
				b.signal()
			}
			return nil
		}
		room := b.room
		b.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// flush sends everything added so far and waits until it is delivered or failed.
func (b *batcher[T]) flush(ctx context.Context) error {
	b.mu.Lock()
	target := b.added
	if target > b.flushTo {
		b.flushTo = target
	}
	b.mu.Unlock()
	b.signal()
	for {
		b.mu.Lock()
		done, advance := b.done, b.advance
		b.mu.Unlock()
		if done >= target {
			return nil
		}
		select {
		case <-advance:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close has everything sent (or failed once the client's context is cancelled) and waits for the
// goroutine to end.
func (b *batcher[T]) close() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	b.signal()
	<-b.stopped
}

func (b *batcher[T]) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// run sends batches: full ones as soon as they are, partial ones every interval, on a flush and
// on close.
func (b *batcher[T]) run() {
	defer close(b.stopped)
	tick := time.NewTicker(b.c.batchInterval)
	defer tick.Stop()
	for {
		timed := false
		select {
		case <-b.wake:
		case <-tick.C:
			timed = true
		}
		for {
			batch, last := b.take(timed)
			if batch == nil {
				if last {
					return
				}
				break
			}
			b.deliver(batch)
		}
	}
}

// take cuts the next batch: a full one (batchSize items, or as many as fit in maxBatchBytes), or
// whatever is pending when partial is true, a flush waits or the batcher closes. last is true
// when it is closing and nothing is left.
func (b *batcher[T]) take(partial bool) (batch []pendingItem[T], last bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		return nil, b.closing
	}
	n, size := 0, len(`{"items":[]}`)
	for n < len(b.pending) && n < b.c.batchSize {
		next := size + len(b.pending[n].enc) + 1
		if n > 0 && next > maxBatchBytes {
			break
		}
		n, size = n+1, next
	}
	full := n == b.c.batchSize || n < len(b.pending)
	if !full && !partial && !b.closing && b.done >= b.flushTo {
		return nil, false // a partial batch waits for the interval
	}
	batch = make([]pendingItem[T], n)
	copy(batch, b.pending)
	b.pending = b.pending[n:]
	for _, p := range batch {
		b.pendingBytes -= len(p.enc) + 1
	}
	close(b.room)
	b.room = make(chan struct{})
	return batch, false
}

// maxBatchBytes bounds a batch's body: the server's default ingest.maxBodySize (1 MiB), over which
// it answers 413. One item larger than that is sent alone (and refused).
const maxBatchBytes = 1 << 20

// deliver sends one batch with its retries and reports a failure.
func (b *batcher[T]) deliver(batch []pendingItem[T]) {
	encoded := make([][]byte, len(batch))
	for i, p := range batch {
		encoded[i] = p.enc
	}
	if err := b.send(b.c.ctx, joinItems(encoded)); err != nil {
		items := make([]T, len(batch))
		for i, p := range batch {
			items[i] = p.item
		}
		be := &BatchError{Err: err}
		switch v := any(items).(type) {
		case []BusinessData:
			be.Rows = v
		case []AlarmBusinessData:
			be.Alarms = v
		}
		b.c.fail(be)
	}
	b.mu.Lock()
	b.done += int64(len(batch))
	close(b.advance)
	b.advance = make(chan struct{})
	b.mu.Unlock()
}
