package hub

import "time"

// Stream is a one-way connection to a client, such as a Server-Sent Events response: the engine
// writes messages, heartbeats and its goodbye to it and reads nothing. A manager serves a stream
// as it serves a WebSocket (the same queue, overflow rule, snapshot, replay, pings and expiry);
// only the connection's own goroutine writes it, never the writers' fast path. The methods that
// write are called by one goroutine at a time; Close may be called at any time, more than once.
type Stream interface {
	// Write writes a heartbeat when heartbeat is set, then the batch's messages, and flushes,
	// giving up at deadline. A message's data may hold several newline-separated objects (a
	// snapshot).
	Write(batch []*Message, heartbeat bool, deadline time.Time) error
	// WriteReplay writes one frame of a Replay: newline-separated objects.
	WriteReplay(frame []byte, deadline time.Time) error
	// End writes the goodbye that goes with close code (a WebSocket's close frame), if the
	// stream has one for it. The engine closes the stream next.
	End(code int, deadline time.Time) error
	// Wait returns once the client has gone away or the stream was closed.
	Wait()
	// Close closes the stream at once.
	Close() error
}

// AttachStream registers a stream under key and serves it, as Attach does a WebSocket: it
// returns at once, and the stream is closed when the connection ends. Its heartbeats are the
// pings (every PingInterval); since a stream sends nothing back, it is never dropped for silence:
// a client that has gone away is found by Wait or by a write that fails or times out.
func (m *Manager) AttachStream(s Stream, key Key, user string, opts AttachOptions) {
	c := &Conn{
		stream:      &oneWay{s},
		manager:     m,
		key:         key,
		user:        user,
		expiryIndex: -1,
		readerDone:  make(chan struct{}),
		done:        make(chan struct{}),
	}
	m.attach(c, opts, c.watchStream)
}

// oneWay holds a connection's Stream: a pointer, so that a Conn stays within its 384-byte size
// class (see TestConnHotFieldsShareALine).
type oneWay struct{ Stream }

// watchStream is a stream's reader: it waits for the client to go away, then ends the connection.
func (c *Conn) watchStream() {
	go func() {
		c.stream.Wait()
		close(c.readerDone)
		c.abort()
	}()
}
