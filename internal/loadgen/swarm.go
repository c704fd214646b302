package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// swarm is every subscriber of a run.
type swarm struct {
	dialer  *net.Dialer
	gate    *gate // nil when reads are not spaced out
	subs    []*subscriber
	perKey  []int64 // subscribers of each key
	token   string  // sent on every handshake ("" without)
	user    string  // every subscriber's userName: the token's sub; "" gives each its own, bench-<i>
	dialed  atomic.Int64
	closing atomic.Bool

	dropped  atomic.Int64 // connections that ended before the tool closed them
	dropOnce sync.Once
	dropErr  string
}

// subscriberPath is the WebSocket path of subscriber i following key j as user ("": bench-<i>).
func subscriberPath(i, j int, user string) string {
	if user == "" {
		user = "bench-" + strconv.Itoa(i)
	}
	return "/ws/rowdata/" + url.PathEscape(BusinessType) + "/" + url.PathEscape(keyID(j)) +
		"/" + url.PathEscape(user)
}

func newSwarm(cfg Config) *swarm {
	w := &swarm{
		// No TCP keep-alive: the server pings, and setting it up costs syscalls on every connection.
		dialer: &net.Dialer{KeepAlive: -1},
		subs:   make([]*subscriber, cfg.Subs),
		perKey: make([]int64, cfg.Keys),
		token:  cfg.Token,
	}
	if cfg.Token != "" {
		w.user, _ = tokenSubject(cfg.Token) // Config.check has read it
	}
	if cfg.ReadInterval > 0 {
		w.gate = newGate(cfg.ReadInterval)
	}
	return w
}

// dial opens cfg.Subs subscribers, cfg.DialParallel at a time: subscriber i follows key i%Keys on
// address i%len(Addrs). On any failure it closes what it opened and returns the error.
func (w *swarm) dial(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		err     error
	)
	for range min(cfg.DialParallel, cfg.Subs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.Subs || ctx.Err() != nil {
					return
				}
				s, e := w.dialOne(ctx, cfg.Addrs[i%len(cfg.Addrs)], i, i%cfg.Keys)
				if e != nil {
					errOnce.Do(func() { err = e; cancel() })
					return
				}
				w.subs[i] = s
				w.dialed.Add(1)
				go s.read(w.gone)
			}
		}()
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		w.close()
		return err
	}
	for _, s := range w.subs {
		w.perKey[s.key]++
	}
	return nil
}

func (w *swarm) dialOne(ctx context.Context, addr string, i, key int) (*subscriber, error) {
	path := subscriberPath(i, key, w.user)
	conn, err := wsDial(ctx, w.dialer, addr, path, w.token, w.gate)
	if err != nil {
		return nil, fmt.Errorf("subscriber %d: dial ws://%s%s: %v", i, addr, path, err)
	}
	return &subscriber{conn: conn, key: key, id: []byte(keyID(key))}, nil
}

// gone is called by a subscriber whose connection ended.
func (w *swarm) gone(err error) {
	if w.closing.Load() {
		return
	}
	w.dropOnce.Do(func() { w.dropErr = err.Error() }) // before counting: see dropReason
	w.dropped.Add(1)
}

// dropReason is why the first dropped connection ended, or "".
func (w *swarm) dropReason() string {
	if w.dropped.Load() == 0 {
		return ""
	}
	w.dropOnce.Do(func() {}) // already done: orders the read of dropErr after its write
	return "subscriber disconnected: " + w.dropErr
}

// close says goodbye (close 1000) on every connection and closes it.
func (w *swarm) close() {
	w.closing.Store(true)
	deadline := time.Now().Add(time.Second)
	for _, s := range w.subs {
		if s == nil {
			continue
		}
		s.conn.close(deadline)
	}
	if w.gate != nil {
		w.gate.close()
	}
}
