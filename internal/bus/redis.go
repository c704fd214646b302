package bus

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/gogf/gf/contrib/nosql/redis/v2" // GoFrame's Redis adapter (go-redis)
	"github.com/gogf/gf/v2/database/gredis"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

const (
	redisMinBackoff = 100 * time.Millisecond // first wait before subscribing again
	redisMaxBackoff = 5 * time.Second        // the wait doubles up to this while Redis stays away
	redisOpTimeout  = 2 * time.Second        // one PUBLISH or PING
)

var (
	errNotSubscribed = gerror.NewCode(consts.CodeUnavailable, "not subscribed to Redis: this node could not deliver to its own clients")
	errBusClosed     = errors.New("bus closed")
)

// Redis is the cluster bus. Publish sends each batch as one message on one Redis channel; every
// node, the publisher included, subscribes to that channel and hands what arrives to its own
// managers, so each event reaches every subscriber of every node once. When the subscription
// breaks, the node subscribes again with back-off and calls resubscribed: Redis does not keep
// what it could not deliver, so what matters (alarms) is caught up from the database.
type Redis struct {
	client  *gredis.Redis
	channel string
	addr    string

	subscribed atomic.Bool
	mu         sync.Mutex
	conn       gredis.Conn // the open subscription
	closed     bool
	stop       chan struct{}
	done       chan struct{} // closed when the subscriber has finished; nil before Subscribe
}

// NewRedis connects lazily to the Redis of cfg; events travel on channel.
func NewRedis(cfg *gredis.Config, channel string) (*Redis, error) {
	client, err := gredis.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Redis{client: client, channel: channel, addr: cfg.Address, stop: make(chan struct{})}, nil
}

// Subscribe implements Bus.
func (r *Redis) Subscribe(deliver Deliver, resubscribed func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil || r.closed {
		return
	}
	r.done = make(chan struct{})
	go r.run(deliver, resubscribed)
}

// run keeps one subscription open until Close.
func (r *Redis) run(deliver Deliver, resubscribed func()) {
	defer close(r.done)
	ctx := context.Background()
	backoff := redisMinBackoff
	for {
		conn, err := r.subscribe(ctx)
		if errors.Is(err, errBusClosed) {
			return
		}
		if err != nil {
			g.Log().Warningf(ctx, "redis bus %s: cannot subscribe: %v; again in %s", r.addr, err, backoff)
			select {
			case <-r.stop:
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, redisMaxBackoff)
			continue
		}
		backoff = redisMinBackoff
		r.subscribed.Store(true)
		if resubscribed != nil {
			resubscribed()
		}
		err = r.receive(ctx, conn, deliver)
		r.subscribed.Store(false)
		if r.release(ctx, conn) {
			return
		}
		g.Log().Warningf(ctx, "redis bus %s: subscription lost: %v; subscribing again", r.addr, err)
	}
}

// subscribe opens the subscription and remembers it, so Close can break the blocking receive.
func (r *Redis) subscribe(ctx context.Context) (gredis.Conn, error) {
	sctx, cancel := context.WithTimeout(ctx, redisOpTimeout)
	defer cancel()
	conn, _, err := r.client.Subscribe(sctx, r.channel)
	if err != nil {
		if conn != nil {
			_ = conn.Close(ctx)
		}
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		_ = conn.Close(ctx)
		return nil, errBusClosed
	}
	r.conn = conn
	return conn, nil
}

// release closes a finished subscription and reports whether the bus is closed. Closing the
// connection also stops the client library from resubscribing behind our back, which would hide
// the interruption.
func (r *Redis) release(ctx context.Context, conn gredis.Conn) (closed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conn = nil
	_ = conn.Close(ctx)
	return r.closed
}

// receive hands each message's events to deliver until the subscription fails.
func (r *Redis) receive(ctx context.Context, conn gredis.Conn, deliver Deliver) error {
	for {
		v, err := conn.Receive(ctx)
		if err != nil {
			return err
		}
		msg, ok := v.Val().(*gredis.Message)
		if !ok {
			continue // a subscription confirmation or a pong
		}
		events, err := decodePayload(msg.Payload)
		if err != nil {
			g.Log().Warningf(ctx, "redis bus %s: message on %q skipped: %v", r.addr, r.channel, err)
			continue
		}
		for _, e := range events {
			deliver(e)
		}
	}
}

// Publish implements Bus: one PUBLISH for the batch. It refuses while this node is not subscribed,
// since its own clients would miss what it accepted.
func (r *Redis) Publish(ctx context.Context, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	if !r.subscribed.Load() {
		return errNotSubscribed
	}
	ctx, cancel := context.WithTimeout(ctx, redisOpTimeout)
	defer cancel()
	_, err := r.client.Publish(ctx, r.channel, encodeEvents(events))
	return err
}

// Ready implements Bus: subscribed, and Redis answers a PING.
func (r *Redis) Ready(ctx context.Context) error {
	if !r.subscribed.Load() {
		return errNotSubscribed
	}
	ctx, cancel := context.WithTimeout(ctx, redisOpTimeout)
	defer cancel()
	_, err := r.client.Do(ctx, "PING")
	return err
}

// Close implements Bus: it ends the subscription and closes the client.
func (r *Redis) Close() error {
	ctx := context.Background()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	close(r.stop)
	if r.conn != nil {
		_ = r.conn.Close(ctx)
	}
	done := r.done
	r.mu.Unlock()
	if done != nil {
		<-done
	}
	return r.client.Close(ctx)
}
