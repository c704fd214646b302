package hub

import (
	"context"
	"maps"
	"runtime"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Manager holds the connections of one endpoint and delivers publishes to them through its
// Router. Pulse runs two: row data (BusinessIndex, Coalesce or DropOldest) and alarms (Everyone,
// CloseSlow).
//
// There is no hub goroutine: Publish walks the index under a read lock and queues without
// blocking, so publishers never wait for each other or for a slow client.
type Manager struct {
	name     string
	opts     Options
	handlers map[string]Handler

	mu        sync.RWMutex // Publish holds it shared, (un)registration exclusively
	router    Router
	users     users      // connections by user name (users.go)
	snapshots *snapshots // nil unless Options.SnapshotSize or HistoryPoints > 0
	closed    bool
	attached  uint64 // connections attached so far: their ping slots go round

	writers  []writer       // the fast path's, one per core (see writer.go)
	conns    sync.WaitGroup // one per connection until its teardown ends
	counters counters
	expiries expiries

	stop     chan struct{} // closed by Shutdown: ends the pinger and the history's expiry
	stopOnce sync.Once
}

// Stats are a manager's counters.
type Stats struct {
	Connections   int           `json:"connections"`
	Published     int64         `json:"published"`
	Delivered     int64         `json:"delivered"`     // messages queued to connections
	FramesWritten int64         `json:"framesWritten"` // frames written to clients, replays included
	FramesRead    int64         `json:"framesRead"`    // frames read from clients, pings and pongs included
	Dropped       int64         `json:"dropped"`       // row data discarded from full queues
	Coalesced     int64         `json:"coalesced"`     // row data replaced by a newer item of its key in full queues
	SlowClosed    int64         `json:"slowClosed"`    // connections closed with 1013 for a full queue
	Closes        map[int]int64 `json:"closes"`        // connections ended, by the close code sent (1006: aborted)
	SnapshotKeys  int           `json:"snapshotKeys"`  // keys the snapshots hold
	// SnapshotTypes, SnapshotBytes and SnapshotEvictions are the business types the snapshots
	// hold keys of, the bytes they hold, and the keys forgotten so far to stay within
	// SnapshotLimit (Options.SnapshotMemory; 0 without snapshots).
	SnapshotTypes     int   `json:"snapshotTypes"`
	SnapshotBytes     int64 `json:"snapshotBytes"`
	SnapshotLimit     int64 `json:"snapshotLimit"`
	SnapshotEvictions int64 `json:"snapshotEvictions"`
	// HistoryPoints are the row-data points kept (every key's snapshot and history: their bytes
	// are SnapshotBytes), and HistoryTrims the keys whose history was let go of to stay within
	// SnapshotLimit.
	HistoryPoints int   `json:"historyPoints"`
	HistoryTrims  int64 `json:"historyTrims"`
}

// NewManager starts a manager with its routing rule. Register handlers before serving.
func NewManager(name string, router Router, opts Options) *Manager {
	m := &Manager{
		name:     name,
		opts:     opts.withDefaults(),
		handlers: map[string]Handler{"ping": handlePing},
		router:   router,
		stop:     make(chan struct{}),
	}
	m.writers = make([]writer, runtime.GOMAXPROCS(0))
	for i := range m.writers {
		m.writers[i].index, m.writers[i].delay = i, m.opts.WriteDelay
	}
	if m.opts.SnapshotSize > 0 || m.opts.HistoryPoints > 0 {
		m.snapshots = newSnapshots(m.opts)
		go m.expireHistory()
	}
	go m.pinger()
	return m
}

// Name is the manager's name.
func (m *Manager) Name() string { return m.name }

// Handle registers h for inbound messages of type typ. Call it before Serve.
func (m *Manager) Handle(typ string, h Handler) { m.handlers[typ] = h }

// Attach registers a connection upgraded by Upgrade under key and serves it: it returns at once.
// When the manager keeps snapshots, the connection's first frame holds the snapshot of its key,
// taken atomically with the registration: every later publish reaches it live, every earlier one
// is in the snapshot.
func (m *Manager) Attach(ws *websocket.Conn, key Key, user string, opts AttachOptions) {
	c := newConn(m, ws, key, user)
	if c.frames != nil && c.frames.raw != nil {
		c.poller = sharedPoller() // before anyone else can see c: teardown reads it
	}
	m.attach(c, opts, c.startReading)
}

// attach registers c, a WebSocket or a Stream, and serves it; startReading starts its read side.
func (m *Manager) attach(c *Conn, opts AttachOptions, startReading func()) {
	c.onClose, c.replay = opts.OnClose, opts.Replay
	if opts.Grant != nil {
		c.grant.Store(opts.Grant)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		c.state, c.writer = stateClosing, writerGoroutine
		close(c.readerDone)
		m.conns.Add(1)
		go c.teardown(websocket.CloseGoingAway, "server shutting down")
		return
	}
	if c.poller != nil { // the socket is a plain TCP one the fast path can write without waiting
		c.out = &m.writers[m.attached%uint64(len(m.writers))]
	}
	m.router.Add(c)
	m.users.add(c)
	c.pingSlot = uint8(m.attached % pingSlots)
	m.attached++
	if m.snapshots != nil {
		if snap := m.snapshots.take(c.key); snap != nil {
			c.queue = append(c.queue, snap)
		}
	}
	m.conns.Add(1)
	m.mu.Unlock()
	if opts.Grant != nil && !opts.Grant.Expires.IsZero() {
		m.expiries.schedule(c, opts.Grant.Expires)
	}

	c.mu.Lock()
	if len(c.queue) > 0 || c.replay != nil {
		c.wakeWriterAndUnlock()
	} else {
		c.mu.Unlock()
	}
	startReading()
}

// Publish hands msg to the writers for every connection the router picks for key and reports how
// many there were. It holds the manager's lock only to pick them: the writers write (or queue)
// after it is released. The snapshots and history keep msg as received now.
func (m *Manager) Publish(key Key, msg *Message) int { return m.PublishAt(key, msg, 0) }

// PublishAt is Publish of row data received at ts (server unix ms, the "ts" the object carries; 0
// is now): the history keeps it by that time, so that a reader's since is on the times it sees.
func (m *Manager) PublishAt(key Key, msg *Message, ts int64) int {
	to := recipientPool.get()
	m.mu.RLock()
	m.router.Each(key, func(c *Conn) { *to = append(*to, c) })
	if m.snapshots != nil {
		m.snapshots.record(key, msg, ts)
	}
	m.mu.RUnlock()
	n := len(*to)
	m.counters.published.Add(1)
	m.counters.delivered.Add(int64(n))
	switch {
	case n == 0:
		recipientPool.put(to)
	case len(m.writers) == 1:
		m.writers[0].publish(msg, key, to)
	default:
		m.share(msg, key, to)
	}
	return n
}

// share splits a publish's recipients between the writers they belong to: a connection is
// always written by the same writer, so that its messages keep their order.
func (m *Manager) share(msg *Message, key Key, to *[]*Conn) {
	parts := make([]*[]*Conn, len(m.writers))
	for _, c := range *to {
		i := 0
		if c.out != nil {
			i = c.out.index
		}
		if parts[i] == nil {
			parts[i] = recipientPool.get()
		}
		*parts[i] = append(*parts[i], c)
	}
	recipientPool.put(to)
	for i, part := range parts {
		if part != nil {
			m.writers[i].publish(msg, key, part)
		}
	}
}

// RecentKey is a key the snapshots hold and when it was last published to.
type RecentKey struct {
	Key
	LastMs int64 // server unix ms
}

// Recent returns up to limit of the exact keys the snapshots hold (see Options.SnapshotSize)
// within scope, most recently published first; none when the manager keeps no snapshots. scope
// lists what may be returned: Key{} everything, (T, *) every key of type T, (T, I) that key; nil
// is everything. Its cost follows what it returns and what scope names, not the keys held.
func (m *Manager) Recent(limit int, scope []Key) []RecentKey {
	if m.snapshots == nil {
		return nil
	}
	return m.snapshots.recent(limit, scope)
}

// Series is one key's kept row data, oldest first: each item the object as published.
type Series struct {
	Key
	Items [][]byte
}

// History returns the row data kept for key received at or after since (server unix ms) and
// within Options.HistoryWindow: for (T, I) one series, empty when nothing is kept; for (T, *) one
// per id of T that has some, the most recently published first, at most limit. None when the
// manager keeps nothing.
func (m *Manager) History(key Key, since int64, limit int) []Series {
	if m.snapshots == nil {
		return nil
	}
	from := max(since, time.Now().Add(-m.opts.HistoryWindow).UnixMilli())
	return m.snapshots.history(key, from, limit)
}

// Len is the number of open connections.
func (m *Manager) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.router.Len()
}

// Stats returns the manager's counters.
func (m *Manager) Stats() Stats {
	m.mu.RLock()
	written, read := m.frames()
	s := Stats{
		Connections:   m.router.Len(),
		Published:     m.counters.published.Load(),
		Delivered:     m.counters.delivered.Load(),
		FramesWritten: written,
		FramesRead:    read,
		Dropped:       m.counters.dropped.Load(),
		Coalesced:     m.counters.coalesced.Load(),
		SlowClosed:    m.counters.slowClosed.Load(),
		Closes:        maps.Clone(m.counters.closes),
	}
	m.mu.RUnlock()
	if m.snapshots != nil {
		held := m.snapshots.stats()
		s.SnapshotKeys, s.SnapshotTypes = held.keys, held.types
		s.SnapshotBytes, s.SnapshotLimit, s.SnapshotEvictions = held.bytes, m.opts.SnapshotMemory, held.evictions
		s.HistoryPoints, s.HistoryTrims = held.points, held.trims
	}
	return s
}

// Shutdown stops accepting connections, lets every connection write what was published before
// and what it has queued, closes it with 1001 (going away) and waits until all are gone or ctx
// ends; then it closes the rest hard.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.stopOnce.Do(func() { close(m.stop) })
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	for i := range m.writers { // what the writers still hold must reach the queues before the drain
		select {
		case <-m.writers[i].sync():
		case <-ctx.Done():
		}
	}
	m.each(func(c *Conn) { c.drain(websocket.CloseGoingAway, "server shutting down") })

	done := make(chan struct{})
	go func() { m.conns.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		m.each(func(c *Conn) { c.abort() })
		<-done
		return ctx.Err()
	}
}

// each calls fn for a snapshot of the connections, outside the lock.
func (m *Manager) each(fn func(*Conn)) {
	m.mu.RLock()
	conns := make([]*Conn, 0, m.router.Len())
	m.router.All(func(c *Conn) { conns = append(conns, c) })
	m.mu.RUnlock()
	for _, c := range conns {
		fn(c)
	}
}

// remove takes c, ended with code, out of the router, and its counts into the manager's.
func (m *Manager) remove(c *Conn, code int) {
	m.mu.Lock()
	m.router.Remove(c)
	m.users.remove(c)
	m.counters.removed(c, code)
	m.mu.Unlock()
}

// pinger asks every connection's writer for a ping each PingInterval: one ticker per manager,
// no timer per connection. The connections are pinged in pingSlots groups spread over the
// interval, so that 10,000 pings (and 10,000 pongs) are not one burst that stalls deliveries.
func (m *Manager) pinger() {
	t := time.NewTicker(m.opts.PingInterval / pingSlots)
	defer t.Stop()
	for slot := uint8(0); ; slot = (slot + 1) % pingSlots {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.each(func(c *Conn) {
				if c.pingSlot == slot {
					c.ping(now)
				}
			})
		}
	}
}

// pingSlots is how many groups the pinger spreads the connections' pings over.
const pingSlots = 16
