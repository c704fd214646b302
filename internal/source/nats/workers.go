package nats

import (
	"context"
	"hash/fnv"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// workers handle a consumer's messages concurrently (alarms: so that the store commits several
// together), while the messages of one subject (one business) keep their order: a raise and its
// clear are never swapped, a chart's points never go back in time.
type workers struct {
	queues []chan jetstream.Msg
	wg     sync.WaitGroup
}

func newWorkers(n int, handle func(jetstream.Msg)) *workers {
	w := &workers{queues: make([]chan jetstream.Msg, n)}
	for i := range w.queues {
		q := make(chan jetstream.Msg, 16)
		w.queues[i] = q
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for m := range q {
				handle(m)
			}
		}()
	}
	return w
}

// take queues m for the worker of its subject; it waits while that worker is busy (the consumer
// then stops pulling: MaxAckPending bounds what waits).
func (w *workers) take(m jetstream.Msg) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(m.Subject()))
	w.queues[h.Sum32()%uint32(len(w.queues))] <- m
}

// stop lets the workers finish what is queued, until ctx ends. Call it once nothing takes.
func (w *workers) stop(ctx context.Context) {
	for _, q := range w.queues {
		close(q)
	}
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
