package hub

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

type connState uint8

// writerState says who writes a connection's queue.
type writerState uint8

const (
	writerNone      writerState = iota // nobody: the queue is empty, or about to be handed on
	writerQueued                       // its writer (Conn.out) has it ready or is writing it
	writerGoroutine                    // its own goroutine (writeLoop), or it is torn down
)

const (
	stateOpen     connState = iota
	stateDraining           // write what is queued, then close
	stateClosing            // close now, discarding what is queued
)

// Conn is one client of a manager: a WebSocket, or a Stream (AttachStream). Every write to the socket happens on its writer
// goroutine, which runs only while there is something to write. Reading is the poller's while
// the connection is idle (a reader goroutine runs only while there is something to read), or,
// where there is no poller, a goroutine's that reads until the client goes away.
type Conn struct {
	// What the writer's fast path touches for every recipient comes first, together: at 10,000
	// recipients each cache line more is a miss more per recipient. These 64 bytes are one line
	// (a Conn is allocated in a size class of whole lines, so it starts on one).
	mu      sync.Mutex
	state   connState
	writer  writerState
	pingDue bool
	queue   []*Message
	out     *writer    // the manager's writer the fast path uses; nil: the socket allows none (see writer.go)
	frames  *frameConn // the socket, when Upgrade wrapped it
	replay  Replay     // run by the first writer goroutine, then nil

	spare   []*Message // the previous batch's slice, reused to avoid an allocation per batch
	manager *Manager
	seqHigh int64 // highest seq queued or covered by the replay; a seq at or below it is a duplicate
	// coalescing is set while a Coalesce manager's connection has an over-full queue (coalesce.go).
	coalescing *coalescing

	ws     *websocket.Conn // nil for a stream
	stream *oneWay         // a Stream (Server-Sent Events); nil for a WebSocket
	poller *poller         // the poller offered the socket (set before c is shared); nil: a goroutine reads it
	pollID uint64
	heard  atomic.Int64 // when the client last sent a frame, in Unix nanoseconds
	// messageDeadline is when the message being read must be complete (zero between messages).
	// Only the reader uses it.
	messageDeadline time.Time
	key             Key
	user            string
	grant           atomic.Pointer[Grant] // nil: attached without credentials (auth off)
	expires         time.Time             // the grant's deadline; guarded by manager.expiries.mu
	expiryIndex     int                   // in manager.expiries' heap, -1 when not in it; likewise
	expiryGone      bool                  // torn down; likewise
	// pingSlot and userSlot sit beside expiryGone, in the padding fields of their own would cost,
	// which keeps a Conn within 384 bytes. pingSlot is which of the pinger's groups the connection
	// is in; userSlot its index in its manager's users list of its name (users.go; under
	// Manager.mu).
	pingSlot uint8
	userSlot int32

	closeCode  int // with state, guarded by mu
	closeText  string
	readerDone chan struct{}
	done       chan struct{} // closed once the socket is closed and the connection removed
	onClose    func()        // see AttachOptions
	// rest is what the fast path could not write of a frame, for the writer goroutine to write
	// first; restHeld says that the frame was begun, so the socket's write lock is still held.
	rest     []byte
	restHeld bool
	deadline time.Time // of the writes; the writer goroutine's own (see nextWriteDeadline)
	// framesWritten counts the data frames its goroutine writes; only that goroutine adds (see
	// counters). The fast path counts in its writer.
	framesWritten atomic.Int64
}

func newConn(m *Manager, ws *websocket.Conn, key Key, user string) *Conn {
	frames, _ := ws.NetConn().(*frameConn)
	return &Conn{
		ws:          ws,
		frames:      frames,
		manager:     m,
		key:         key,
		user:        user,
		expiryIndex: -1,
		readerDone:  make(chan struct{}),
		done:        make(chan struct{}),
	}
}

// Key is what the connection follows.
func (c *Conn) Key() Key { return c.key }

// User is the user name the connection was opened with ("" where the endpoint has none).
func (c *Conn) User() string { return c.user }

// Send queues m for this connection without blocking. It reports false when the connection is
// closing, or when a full queue made the manager's overflow rule close it. Messages with a seq must
// come in increasing seq order; one at or below a seq already queued, or already covered by the
// replay (published late, after the replay read it from the store), is skipped as a duplicate.
func (c *Conn) Send(m *Message) bool {
	c.mu.Lock()
	return c.sendAndUnlock(m, Key{})
}

// duplicateLocked reports whether m has a seq at or below one already queued or covered by the
// replay; if not, m's seq becomes the highest. Called with c.mu held.
func (c *Conn) duplicateLocked(m *Message) bool {
	if m.seq == 0 {
		return false
	}
	if m.seq <= c.seqHigh {
		return true
	}
	c.seqHigh = m.seq
	return false
}

// sendAndUnlock is Send, of a message published to key (Key{}: to none), with c.mu held; it
// releases it.
func (c *Conn) sendAndUnlock(m *Message, key Key) bool {
	if c.state != stateOpen {
		c.mu.Unlock()
		return false
	}
	if c.duplicateLocked(m) {
		c.mu.Unlock()
		return true
	}
	if len(c.queue) >= c.manager.opts.SendQueue || c.coalescing != nil {
		switch c.manager.opts.Overflow {
		case Coalesce:
			c.coalesceAndUnlock(m, key)
			return true
		case DropOldest:
			copy(c.queue, c.queue[1:])
			c.queue[len(c.queue)-1] = m
			c.mu.Unlock()
			c.manager.counters.dropped.Add(1)
			return true
		}
		c.manager.counters.slowClosed.Add(1)
		c.closeAndUnlock(websocket.CloseTryAgainLater, "send queue full: reconnect to resume")
		return false
	}
	c.queue = append(c.queue, m)
	c.wakeWriterAndUnlock()
	return true
}

// Close closes the connection now with a close frame of the given code; whatever is queued is
// discarded. Calling it again, or after any other close, does nothing.
func (c *Conn) Close(code int, text string) {
	c.mu.Lock()
	if c.state == stateClosing {
		c.mu.Unlock()
		return
	}
	c.closeAndUnlock(code, text)
}

// drain writes what is queued, then closes with code. Used at shutdown.
func (c *Conn) drain(code int, text string) {
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return
	}
	c.state, c.closeCode, c.closeText = stateDraining, code, text
	c.wakeWriterAndUnlock()
}

// ping asks the writer to send a WebSocket ping, or drops the connection when the client has
// sent nothing (not even a pong) for PongTimeout.
func (c *Conn) ping(now time.Time) {
	if c.stream == nil && now.UnixNano()-c.heard.Load() > int64(c.manager.opts.PongTimeout) {
		c.abort()
		return
	}
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return
	}
	c.pingDue = true
	c.wakeWriterAndUnlock()
}

// closeAndUnlock moves the connection to closing; called with c.mu held, it releases it.
func (c *Conn) closeAndUnlock(code int, text string) {
	c.state, c.closeCode, c.closeText = stateClosing, code, text
	c.queue, c.coalescing = nil, nil
	c.wakeWriterAndUnlock()
}

// wakeWriterAndUnlock hands the connection to a writer if none has it: to the manager's writer
// when there is only data to write and the socket allows it, else to its own goroutine. Called
// with c.mu held, it releases it.
func (c *Conn) wakeWriterAndUnlock() {
	switch {
	case c.writer != writerNone:
		c.mu.Unlock()
	case c.fastPathLocked():
		c.writer = writerQueued
		c.mu.Unlock()
		c.out.add(c)
	default:
		c.writer = writerGoroutine
		c.mu.Unlock()
		go c.writeLoop()
	}
}

// idleLocked leaves the connection with no writer and an empty queue. It keeps a small buffer for
// the next messages, so that a broadcast queues without allocating, and lets a larger one go: an
// idle connection holds at most idleQueueCap pointers. Called with c.mu held.
func (c *Conn) idleLocked() {
	c.writer = writerNone
	buf := c.queue // empty; its buffer, or else the previous batch's
	if cap(buf) == 0 {
		buf = c.spare
	}
	if cap(buf) > idleQueueCap {
		buf = nil
	}
	c.queue, c.spare = buf[:0], nil
}

// idleQueueCap is the largest queue buffer an idle connection keeps.
const idleQueueCap = 4

// writeLoop drains the queue, each pass into one frame, and exits when nothing is left. When the
// connection is closing it sends the close frame and tears the connection down.
func (c *Conn) writeLoop() {
	if c.rest != nil {
		err := c.frames.finishWrite(c.rest, c.restHeld, c.nextWriteDeadline())
		c.rest, c.restHeld = nil, false
		if err != nil {
			c.abort()
		} else {
			c.framesWritten.Add(1)
		}
	}
	if r := c.replay; r != nil {
		c.replay = nil
		c.runReplay(r)
	}
	if d := c.manager.opts.WriteDelay; d > 0 && c.out == nil {
		time.Sleep(d) // let the queue fill: one write of many objects costs little more than one
	}
	for {
		c.mu.Lock()
		batch, ping, state := c.takeQueueLocked(), c.pingDue, c.state
		c.pingDue = false
		if state == stateClosing {
			batch, ping = nil, false
		}
		if len(batch) == 0 && !ping {
			if state == stateOpen {
				c.idleLocked()
				c.mu.Unlock()
				return
			}
			code, text := c.closeCode, c.closeText
			c.mu.Unlock()
			c.teardown(code, text)
			return
		}
		c.mu.Unlock()

		if err := c.write(batch, ping); err != nil {
			c.abort()
		} else if len(batch) > 0 {
			c.framesWritten.Add(1)
		}
		clear(batch)
		c.mu.Lock()
		if c.state != stateClosing {
			c.spare = batch[:0]
		}
		c.mu.Unlock()
	}
}

// runReplay writes the replay, then drops the queued messages it covered. A failed write aborts the
// connection; a replay that cannot be read closes it with 1011 so the client retries.
func (c *Conn) runReplay(r Replay) {
	var writeErr error
	covered, err := r(func(frame []byte) error {
		c.mu.Lock()
		closing := c.state == stateClosing
		c.mu.Unlock()
		switch {
		case closing:
			writeErr = errClosing
		case c.stream != nil:
			writeErr = c.stream.WriteReplay(frame, c.nextWriteDeadline())
		default:
			writeErr = c.writeFrame(frame)
		}
		if writeErr == nil {
			c.framesWritten.Add(1)
		}
		return writeErr
	})
	switch {
	case writeErr == errClosing:
		return // the write loop tears the connection down
	case writeErr != nil:
		c.abort()
		return
	case err != nil:
		c.Close(websocket.CloseInternalServerErr, "history unavailable: reconnect to retry")
		return
	}
	c.mu.Lock()
	c.queue = slices.DeleteFunc(c.queue, func(m *Message) bool { return m.seq != 0 && m.seq <= covered })
	if c.coalescing != nil {
		c.coalescing.forget(len(c.queue))
	}
	c.seqHigh = max(c.seqHigh, covered)
	c.mu.Unlock()
}

// writeFrame writes one text frame of a replay to a WebSocket.
func (c *Conn) writeFrame(frame []byte) error {
	if err := c.ws.SetWriteDeadline(c.nextWriteDeadline()); err != nil {
		return err
	}
	compressIfWorth(c.ws, len(frame))
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// nextWriteDeadline is the deadline of the writer's next write. It is renewed only when less than
// half of WriteTimeout is left, so that the writes of a busy connection share one socket deadline:
// a write that blocks is given up after between half of WriteTimeout and all of it.
func (c *Conn) nextWriteDeadline() time.Time {
	now, timeout := time.Now(), c.manager.opts.WriteTimeout
	if c.deadline.Sub(now) < timeout/2 {
		c.deadline = now.Add(timeout)
	}
	return c.deadline
}

// write sends a ping if due, then the batch as one text frame of newline-separated objects.
func (c *Conn) write(batch []*Message, ping bool) error {
	deadline := c.nextWriteDeadline()
	if c.stream != nil {
		return c.stream.Write(batch, ping, deadline)
	}
	if ping {
		if c.frames != nil {
			c.frames.sentPing() // before the client can answer it
		}
		if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
			return err
		}
	}
	if len(batch) == 0 {
		return nil
	}
	if err := c.ws.SetWriteDeadline(deadline); err != nil {
		return err
	}
	compressIfWorth(c.ws, batchSize(batch))
	if len(batch) == 1 {
		return c.ws.WriteMessage(websocket.TextMessage, batch[0].data)
	}
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for i, m := range batch {
		if i > 0 {
			if _, err = w.Write(newline); err != nil {
				return err
			}
		}
		if _, err = w.Write(m.data); err != nil {
			return err
		}
	}
	return w.Close()
}

var newline = []byte{'\n'}

// errClosing stops a replay on a connection that is being closed.
var errClosing = errors.New("connection closing")

// abort closes the socket at once: the peer is gone or broken, so no close handshake is tried.
func (c *Conn) abort() {
	c.Close(websocket.CloseAbnormalClosure, "")
	if c.stream != nil {
		_ = c.stream.Close()
		return
	}
	_ = c.ws.NetConn().Close()
}

// teardown runs once, on the writer goroutine: it removes the connection and says goodbye: a
// WebSocket's close frame, or a stream's End; then it closes the socket.
func (c *Conn) teardown(code int, text string) {
	c.manager.remove(c, code)
	c.manager.expiries.remove(c)
	if c.stream != nil {
		c.endStream(code)
	} else {
		c.closeSocket(code, text)
	}
	if c.onClose != nil {
		c.onClose() // before done: whoever waits for the connection to end sees its slot released
	}
	close(c.done)
	c.manager.conns.Done()
}

// endStream writes a stream's goodbye for code, unless it was aborted, and closes it.
func (c *Conn) endStream(code int) {
	if code != websocket.CloseAbnormalClosure {
		_ = c.stream.End(code, time.Now().Add(c.manager.opts.WriteTimeout))
	}
	_ = c.stream.Close()
}

// closeSocket sends a WebSocket's close frame, gives the client a moment to answer it, and closes
// the socket.
func (c *Conn) closeSocket(code int, text string) {
	grace := c.manager.opts.CloseGrace
	if code != websocket.CloseAbnormalClosure {
		msg := websocket.FormatCloseMessage(code, text)
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.manager.opts.WriteTimeout))
		// The reader ends when the client's close reply arrives.
		select {
		case <-c.readerDone:
		case <-time.After(grace):
		}
	}
	if c.poller != nil {
		c.poller.forget(c)
	}
	if c.frames != nil {
		lingerClose(c.frames.Conn, grace)
	} else {
		lingerClose(c.ws.NetConn(), grace)
	}
}
