package hub

// The fast path of a connection: what its manager's writer (writer.go) does with it. The writer
// owns the connection while its state is writerQueued; these methods hand it on when they are
// done: back to nobody (writerNone) when nothing is left, back in the writer's line when more
// came meanwhile, or to the connection's goroutine (writerGoroutine) for anything the fast path
// does not do.

// fastPathLocked reports whether the writer's fast path may write what the connection has: data
// and pings, no replay to run first, no close. Called with c.mu held.
func (c *Conn) fastPathLocked() bool {
	return c.out != nil && c.state == stateOpen && c.replay == nil
}

// deliver is the writer's part of a publish of m to key for c. When nothing is queued before it,
// it writes m at once, if the socket takes it; otherwise it queues m as Send does. It reports
// whether it wrote a frame.
func (c *Conn) deliver(w *writer, m *Message, key Key) (written bool) {
	c.mu.Lock()
	if c.writer != writerNone || len(c.queue) > 0 || c.pingDue || !c.fastPathLocked() {
		c.sendAndUnlock(m, key)
		return false
	}
	if c.duplicateLocked(m) {
		c.mu.Unlock()
		return false
	}
	c.writer = writerQueued
	c.mu.Unlock()
	written, kept := c.writeFast(w, w.frameOf(m))
	if kept {
		c.mu.Lock()
		c.passOnAndUnlock(w)
	}
	return written
}

// writeReady writes the queue of a connection the writer had in line as one frame, after a ping
// if one is due, if the socket takes them at once, and reports whether it wrote a data frame.
func (c *Conn) writeReady(w *writer) (written bool) {
	c.mu.Lock()
	if !c.fastPathLocked() {
		c.writer = writerGoroutine
		c.mu.Unlock()
		go c.writeLoop()
		return false
	}
	batch, ping := c.takeQueueLocked(), c.pingDue
	c.pingDue = false
	c.mu.Unlock()

	if len(batch) > 0 || ping {
		var frames []byte
		if ping {
			c.frames.sentPing() // before the client can answer it
			frames = w.pingAnd(batch)
		} else {
			frames = w.frameOf(batch...)
		}
		clear(batch) // the frames are a copy
		var kept bool
		if written, kept = c.writeFast(w, frames); !kept {
			return false
		}
		written = written && len(batch) > 0
	}
	c.mu.Lock()
	if c.state != stateClosing {
		c.spare = batch[:0]
	}
	c.passOnAndUnlock(w)
	return written
}

// writeFast writes frame (or frames) without waiting. kept is false when the socket could not
// take it all and the connection's goroutine now has it, to write the rest. A broken socket is
// aborted.
func (c *Conn) writeFast(w *writer, frame []byte) (written, kept bool) {
	n, err := c.frames.tryWrite(w.nw, frame)
	switch err {
	case nil:
		return true, true
	case errWouldBlock:
		c.mu.Lock()
		c.rest, c.restHeld = append([]byte(nil), frame[n:]...), n > 0
		c.writer = writerGoroutine
		c.mu.Unlock()
		go c.writeLoop()
		return false, false
	}
	c.abort()
	return false, true
}

// passOnAndUnlock hands the connection on after the writer wrote to it: to nobody when nothing is
// left, back in w's line when more data came meanwhile (behind the others), to its goroutine for
// a ping or a close. Called with c.mu held, it releases it.
func (c *Conn) passOnAndUnlock(w *writer) {
	switch {
	case len(c.queue) == 0 && c.state == stateOpen && !c.pingDue:
		c.idleLocked()
		c.mu.Unlock()
	case c.fastPathLocked():
		c.mu.Unlock()
		w.add(c)
	default:
		c.writer = writerGoroutine
		c.mu.Unlock()
		go c.writeLoop()
	}
}
