package nats

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
)

// Source is the NATS JetStream source of one node, from Start to Stop.
type Source struct {
	opts      Options
	core      *brokerin.Source
	handle    func(context.Context, brokerin.Message) brokerin.Outcome // core.Handle (tests may replace it)
	templates map[brokerin.Kind]topic.Template
	filters   map[brokerin.Kind]string // the templates with * for the business: the consumers' filters

	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	mu       sync.Mutex
	nc       *nats.Conn
	consumes []jetstream.ConsumeContext
	handlers []*workers // of the consumers consuming
	// lastFailure is the last failed connection attempt's error, logged once until it changes.
	lastFailure string

	pending     map[brokerin.Kind]*atomic.Int64 // each consumer's num_pending, at its last message or check
	termReasons atomic.Bool                     // the server keeps a termination's reason (2.10.4 and later)
}

var _ brokerin.Runner = (*Source)(nil)

// New builds the source over core (which publishes); it connects on Start.
func New(opts Options, core *brokerin.Source) (*Source, error) {
	if opts.URL == "" || opts.Stream == "" || opts.Durable == "" {
		return nil, errors.New("nats: url, stream and durable are required")
	}
	if opts.Name == "" {
		opts.Name = "pulse"
	}
	if opts.AckWait <= 0 {
		opts.AckWait = 30 * time.Second
	}
	if opts.MaxAckPending <= 0 {
		opts.MaxAckPending = 1000
	}
	s := &Source{opts: opts, core: core, handle: core.Handle,
		templates: map[brokerin.Kind]topic.Template{}, filters: map[brokerin.Kind]string{},
		pending: map[brokerin.Kind]*atomic.Int64{brokerin.RowData: {}, brokerin.Alarm: {}}}
	for _, kind := range []brokerin.Kind{brokerin.RowData, brokerin.Alarm} {
		t, err := topic.ParseTemplate(opts.Subjects[kind], topic.NATSSeparator)
		if err != nil {
			return nil, fmt.Errorf("nats: subjects.%s: %w", kind, err)
		}
		s.templates[kind], s.filters[kind] = t, t.Filter("*")
		core.Stats().Session(string(kind)) // not consuming until it does
	}
	return s, nil
}

// Name is the source's name (its /readyz check and metrics label).
func (s *Source) Name() string { return s.core.Name() }

// Stats is what the source counted, and whether its consumers consume.
func (s *Source) Stats() *brokerin.Stats { return s.core.Stats() }

// Describe says where the source consumes from, for the start log.
func (s *Source) Describe() string {
	return fmt.Sprintf("row data from %s, alarms from %s (stream %s, consumers %s and %s) at %s",
		s.filters[brokerin.RowData], s.filters[brokerin.Alarm], s.opts.Stream,
		s.opts.consumerName(brokerin.RowData), s.opts.consumerName(brokerin.Alarm), s.opts.URL)
}

// Start connects and consumes in the background until Stop; it never fails: a server that cannot
// be reached is retried, and the source's stats (so /readyz) say why it is not consuming
// meanwhile.
func (s *Source) Start(context.Context) error {
	s.core.Infof("%s", s.Describe())
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx)
	return nil
}

// Stop stops taking messages, lets the messages already taken finish and be acknowledged, and
// closes the connection; what it has not finished when ctx ends is left unacknowledged (JetStream
// gives it to another node after AckWait).
func (s *Source) Stop(ctx context.Context) error {
	if s.cancel == nil {
		return nil
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
	return nil
}

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
		s.core.Warnf("%v (trying again in %v)", err, delay)
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
	if err := s.waitConnected(ctx, nc); err != nil {
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
	for _, kind := range []brokerin.Kind{brokerin.RowData, brokerin.Alarm} {
		c, err := s.ensureConsumer(setup, js, kind)
		if err != nil {
			return err
		}
		w := newWorkers(s.workers(kind), func(m jetstream.Msg) { s.process(kind, m) })
		s.mu.Lock()
		s.handlers = append(s.handlers, w)
		s.mu.Unlock()
		cc, err := c.Consume(w.take, jetstream.PullMaxMessages(s.pullBatch()),
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
	s.core.Infof("consuming %s (consumer %s) and %s (consumer %s) from stream %s at %s",
		s.filters[brokerin.RowData], s.opts.consumerName(brokerin.RowData),
		s.filters[brokerin.Alarm], s.opts.consumerName(brokerin.Alarm), s.opts.Stream, nc.ConnectedUrlRedacted())
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
	opts, err := s.connectOptions()
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(s.opts.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", s.opts.URL, err)
	}
	s.nc = nc
	return nc, nil
}

// waitConnected waits until nc is connected (nats.go keeps trying meanwhile; its failures are
// reported by reconnectFailed), or ctx ends.
func (s *Source) waitConnected(ctx context.Context, nc *nats.Conn) error {
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
	s.termReasons.Store(versionAtLeast(nc.ConnectedServerVersion(), 2, 10, 4))
	return nil
}

// consumeError reacts to an error of a consumer's pull loop: one that ends consuming for good
// sets the consumers up again; the others (a missed heartbeat while reconnecting) are transient.
func (s *Source) consumeError(kind brokerin.Kind, err error, broken chan struct{}) {
	if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) ||
		errors.Is(err, jetstream.ErrStreamNotFound) {
		select {
		case broken <- struct{}{}:
		default:
		}
		return
	}
	if !errors.Is(err, jetstream.ErrNoHeartbeat) && !errors.Is(err, nats.ErrConnectionClosed) {
		s.core.Warnf("consumer %s: %v", s.opts.consumerName(kind), err)
	}
}

// stopConsuming drains both consumers (the messages they hold are handled) and waits for the
// alarm workers, until ctx ends.
func (s *Source) stopConsuming(ctx context.Context) {
	s.mu.Lock()
	consumes, handlers := s.consumes, s.handlers
	s.consumes, s.handlers = nil, nil
	s.mu.Unlock()
	for _, cc := range consumes {
		cc.Drain()
	}
	for _, cc := range consumes {
		select {
		case <-cc.Closed():
		case <-ctx.Done():
			return // a callback may still queue a message: the workers stay (the process ends)
		}
	}
	for _, w := range handlers {
		w.stop(ctx)
	}
}

// connected and disconnected follow the connection's state.
func (s *Source) connected(nc *nats.Conn, what string) {
	s.core.Infof("%s to %s", what, nc.ConnectedUrlRedacted())
	s.mu.Lock()
	s.lastFailure = ""
	consuming := len(s.consumes) > 0 // the consumers resume by themselves after a reconnect
	s.mu.Unlock()
	if consuming {
		s.trouble(nil)
	}
}

// reconnectFailed reports an attempt to connect that failed, so that /readyz says why, and logs
// it when it fails otherwise than the attempt before (nats.go tries every second).
func (s *Source) reconnectFailed(err error) {
	why := fmt.Errorf("cannot reach %s: %w", s.opts.URL, err)
	s.trouble(why)
	s.mu.Lock()
	changed := why.Error() != s.lastFailure
	s.lastFailure = why.Error()
	s.mu.Unlock()
	if changed {
		s.core.Warnf("%v (trying again every %v)", why, s.retryDelay())
	}
}

func (s *Source) disconnected(err error) {
	why := errors.New("disconnected")
	if err != nil {
		why = fmt.Errorf("disconnected: %w", err)
	}
	s.trouble(why)
	s.core.Warnf("%v (reconnecting)", why)
}

// trouble reports why both consumers do not consume now (nil: they do again).
func (s *Source) trouble(err error) {
	for _, k := range []brokerin.Kind{brokerin.RowData, brokerin.Alarm} {
		s.core.Stats().Connected(string(k), err)
	}
}

func (s *Source) pullBatch() int {
	return max(1, min(s.opts.MaxAckPending, 500))
}

// workers is how many messages of kind are handled at once: alarms wait for their commit, and the
// store commits what waits together, so many; row data only for the bus, so a few.
func (s *Source) workers(kind brokerin.Kind) int {
	if kind == brokerin.Alarm {
		return cmp.Or(s.opts.AlarmWorkers, 64)
	}
	return cmp.Or(s.opts.RowDataWorkers, 4)
}
