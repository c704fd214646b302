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

	"github.com/gorilla/websocket"
)

// swarm is every subscriber of a run.
type swarm struct {
	dialer  *websocket.Dialer
	gate    *gate // nil when reads are not spaced out
	subs    []*subscriber
	perKey  []int64 // subscribers of each key
	dialed  atomic.Int64
	closing atomic.Bool

	dropped  atomic.Int64 // connections that ended before the tool closed them
	dropOnce sync.Once
	dropErr  string
}

// newDialer opens subscribers through g (nil: no gate): no proxy, no TCP keep-alive (the server
// pings; setting it up costs syscalls on every connection), small buffers.
func newDialer(g *gate) *websocket.Dialer {
	tcp := &net.Dialer{KeepAlive: -1}
	return &websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := tcp.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &gatedConn{Conn: c, gate: g}, nil
		},
		Proxy:            nil,
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  512,
	}
}

// subscriberPath is the WebSocket path of subscriber i following key j.
func subscriberPath(i, j int) string {
	return "/ws/rowdata/" + url.PathEscape(BusinessType) + "/" + url.PathEscape(keyID(j)) +
		"/" + url.PathEscape("bench-"+strconv.Itoa(i))
}

func newSwarm(cfg Config) *swarm {
	w := &swarm{subs: make([]*subscriber, cfg.Subs), perKey: make([]int64, cfg.Keys)}
	if cfg.ReadInterval > 0 {
		w.gate = newGate(cfg.ReadInterval)
	}
	w.dialer = newDialer(w.gate)
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
	u := "ws://" + addr + subscriberPath(i, key)
	conn, resp, err := w.dialer.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("subscriber %d: dial %s: %v (HTTP %d)", i, u, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("subscriber %d: dial %s: %v", i, u, err)
	}
	gc, _ := conn.UnderlyingConn().(*gatedConn)
	return &subscriber{conn: conn, gated: gc, key: key, id: []byte(keyID(key))}, nil
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
		_ = s.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
		_ = s.conn.Close()
	}
	if w.gate != nil {
		w.gate.close()
	}
}
