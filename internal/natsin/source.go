package natsin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Source is the NATS JetStream source of one node, from Start to Stop.
type Source struct {
	opts   Options
	handle Handle

	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	mu       sync.Mutex
	nc       *nats.Conn
	consumes []jetstream.ConsumeContext
	alarms   *workers // nil while not consuming

	isConnected atomic.Bool
	pending     map[Kind]*atomic.Int64 // each consumer's num_pending, at its last message or check
}

// New returns a source that hands what it consumes to handle; Start starts it.
func New(opts Options, handle Handle) *Source {
	if opts.Name == "" {
		opts.Name = "pulse"
	}
	s := &Source{opts: opts, handle: handle, pending: map[Kind]*atomic.Int64{RowData: {}, Alarm: {}}}
	if opts.Report == nil {
		s.opts.Report = nobody{}
	}
	return s
}

type nobody struct{}

func (nobody) Connected(string, error) {}
func (nobody) SetLag(int64)            {}

// Start connects and consumes in the background until Stop; it never fails: a server that cannot
// be reached is retried, and Ready says why it is not consuming meanwhile.
func (s *Source) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx)
}

// Stop stops taking messages, lets the messages already taken finish and be acknowledged, and
// closes the connection; what it has not finished when ctx ends is left unacknowledged (JetStream
// gives it to another node after AckWait).
func (s *Source) Stop(ctx context.Context) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	select {
	case <-s.done:
	case <-ctx.Done():
	}
	s.mu.Lock()
	nc := s.nc
	s.mu.Unlock()
	s.stopConsuming(ctx)
	if nc != nil {
		_ = nc.FlushTimeout(time.Second) // the last acknowledgements
		nc.Close()
	}
}

// Connected says whether the connection to the server is up.
func (s *Source) Connected() bool { return s.isConnected.Load() }

// Pending is kind's lag: the messages its consumer has not handed to any node yet, at its last
// message or check.
func (s *Source) Pending(kind Kind) int64 { return s.pending[kind].Load() }

// run connects, sets up the stream and consumers and consumes, again after every failure, until
// ctx ends.
func (s *Source) run(ctx context.Context) {
	defer close(s.done)
	delay := s.retryDelay()
	for ctx.Err() == nil {
		err := s.consume(ctx)
		if ctx.Err() != nil {
			return
		}
		s.stopConsuming(ctx)
		s.trouble(err)
		s.opts.logf("%v (trying again in %v)", err, delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

// maxRetryDelay bounds the wait between two attempts to set up the stream and consumers.
const maxRetryDelay = 30 * time.Second

// consume connects when needed, sets up the stream and both consumers and consumes until ctx ends
// or a consumer goes away (its error).
func (s *Source) consume(ctx context.Context) error {
	ctx, stop := context.WithCancel(ctx) // ends this attempt's lag watchers
	defer stop()
	nc, err := s.connection()
	if err != nil {
		return err
	}
	if err := waitConnected(ctx, nc); err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	setup, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.ensureStream(setup, js); err != nil {
		return err
	}
	broken := make(chan struct{}, 1)
	alarms := newWorkers(s.alarmWorkers(), func(m jetstream.Msg) { s.process(Alarm, m) })
	s.mu.Lock()
	s.alarms = alarms
	s.mu.Unlock()
	for _, kind := range []Kind{RowData, Alarm} {
		c, err := s.ensureConsumer(setup, js, kind)
		if err != nil {
			return err
		}
		handler := func(m jetstream.Msg) { s.process(RowData, m) }
		if kind == Alarm {
			handler = alarms.take
		}
		cc, err := c.Consume(handler, jetstream.PullMaxMessages(s.pullBatch()),
			jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) { s.consumeError(kind, err, broken) }))
		if err != nil {
			return fmt.Errorf("consuming %s from stream %s: %w", s.opts.consumerName(kind), s.opts.Stream, err)
		}
		s.mu.Lock()
		s.consumes = append(s.consumes, cc)
		s.mu.Unlock()
		go s.watchLag(ctx, c, kind)
	}
	s.trouble(nil)
	s.opts.logf("consuming %s (consumer %s) and %s (consumer %s) from stream %s at %s",
		s.opts.Subjects[RowData], s.opts.consumerName(RowData),
		s.opts.Subjects[Alarm], s.opts.consumerName(Alarm), s.opts.Stream, nc.ConnectedUrlRedacted())
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-broken:
		return errors.New("a consumer or the stream was deleted: setting them up again")
	}
}

// connection is the source's connection, made on the first call: with RetryOnFailedConnect it
// exists even while the server cannot be reached, and reconnects by itself from then on.
func (s *Source) connection() (*nats.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nc != nil {
		return s.nc, nil
	}
	nc, err := nats.Connect(s.opts.URL, s.connectOptions()...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", s.opts.URL, err)
	}
	s.nc = nc
	return nc, nil
}

// waitConnected waits until nc is connected (nats.go keeps trying meanwhile), or ctx ends.
func waitConnected(ctx context.Context, nc *nats.Conn) error {
	for !nc.IsConnected() {
		if nc.IsClosed() {
			return errors.New("the connection is closed")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// consumeError reacts to an error of a consumer's pull loop: one that ends consuming for good
// sets the consumers up again; the others (a missed heartbeat while reconnecting) are transient.
func (s *Source) consumeError(kind Kind, err error, broken chan struct{}) {
	if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) ||
		errors.Is(err, jetstream.ErrStreamNotFound) {
		select {
		case broken <- struct{}{}:
		default:
		}
		return
	}
	if !errors.Is(err, jetstream.ErrNoHeartbeat) && !errors.Is(err, nats.ErrConnectionClosed) {
		s.opts.logf("consumer %s: %v", s.opts.consumerName(kind), err)
	}
}

// stopConsuming drains both consumers (the messages they hold are handled) and waits for the
// alarm workers, until ctx ends.
func (s *Source) stopConsuming(ctx context.Context) {
	s.mu.Lock()
	consumes, alarms := s.consumes, s.alarms
	s.consumes, s.alarms = nil, nil
	s.mu.Unlock()
	for _, cc := range consumes {
		cc.Drain()
	}
	for _, cc := range consumes {
		select {
		case <-cc.Closed():
		case <-ctx.Done():
			return // a callback may still queue an alarm: the workers stay (the process ends)
		}
	}
	if alarms != nil {
		alarms.stop(ctx)
	}
}

// connected and disconnected follow the connection's state.
func (s *Source) connected(nc *nats.Conn, what string) {
	s.isConnected.Store(true)
	s.opts.logf("%s to %s", what, nc.ConnectedUrlRedacted())
	s.mu.Lock()
	consuming := len(s.consumes) > 0 // the consumers resume by themselves after a reconnect
	s.mu.Unlock()
	if consuming {
		s.trouble(nil)
	}
}

func (s *Source) disconnected(err error) {
	if !s.isConnected.Swap(false) {
		return
	}
	why := errors.New("disconnected")
	if err != nil {
		why = fmt.Errorf("disconnected: %w", err)
	}
	s.trouble(why)
	s.opts.logf("%v (reconnecting)", why)
}

// trouble reports why both consumers do not consume now (nil: they do again).
func (s *Source) trouble(err error) {
	for _, k := range []Kind{RowData, Alarm} {
		s.opts.Report.Connected(string(k), err)
	}
}

func (s *Source) pullBatch() int {
	return max(1, min(s.opts.MaxAckPending, 500))
}

func (s *Source) alarmWorkers() int {
	if s.opts.AlarmWorkers > 0 {
		return s.opts.AlarmWorkers
	}
	return 16
}
