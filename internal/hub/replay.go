package hub

// Replay writes what a connection must receive before any live message: history a client asked
// for, read from a store. It runs on the connection's writer before the first live message is
// written, while live messages queue up behind it (a full queue closes the connection by the
// manager's overflow rule, as always). send writes one text frame.
//
// Replay returns the stream position its frames cover: queued live messages with a seq at or
// below it are dropped, so the join between history and live has neither gap nor duplicate as
// long as the store holds every message published before the connection was attached. An error
// closes the connection with 1011.
type Replay func(send func(frame []byte) error) (covered int64, err error)

// AttachOptions are the optional parts of Manager.Attach.
type AttachOptions struct {
	// OnClose runs once the socket is closed and the writer has finished.
	OnClose func()
	// Replay, when set, runs before live messages are written.
	Replay Replay
	// Grant, when set, is what the client's credentials allow: the connection is closed with
	// CloseTokenExpired at its expiry unless refreshed (Conn.Refresh).
	Grant *Grant
}
