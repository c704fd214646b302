// Package hub is Pulse's WebSocket (and Server-Sent Events) engine: it holds the connections of an endpoint and delivers
// published messages to them without ever letting one slow client hold up a publisher or another
// client. It knows nothing of GoFrame, HTTP routes, the bus or the database: internal/app wires
// it to them. Its only Pulse imports are the list of error code numbers (internal/consts/errcode),
// the name rules of internal/model (Wildcard) and the frame-header codec (internal/wsframe), all
// free of GoFrame.
//
// # The parts
//
//   - Manager (manager.go) holds one endpoint's connections. Pulse runs two: row data, routed by
//     BusinessIndex with the Coalesce overflow rule (or DropOldest, rowdata.slowPolicy), and
//     alarms, routed by Everyone with CloseSlow. Manager.Publish hands a message to every
//     connection its Router picks.
//   - Conn (conn.go, conn_read.go) is one client: a send queue, a writer goroutine that runs when
//     the fast path cannot write, and a read side.
//   - writer (writer.go, conn_fast.go), one per core per manager, is the fast path: it writes
//     each publish's message to its recipients, and the queues of connections in its line,
//     without ever waiting for a socket.
//   - Router (router.go) is a manager's index from publish addresses (Key, key.go) to
//     connections: BusinessIndex (router_business.go) routes by (businessType, businessId) with
//     the Wildcard id; Everyone (router_everyone.go) sends every publish to every connection
//     whose grant's scope covers its key (all of them without grants).
//   - users (users.go) indexes a manager's connections by user name, beside the router, for
//     Manager.SendToUser (a notice to one user's sockets, filtered by Grant.Notices). Only Attach
//     and removal touch it: a publish never reads it.
//   - Grant (grant.go) is what a connection's credentials allow: its expiry, the scope of an
//     alarm console and the application's identity. Conn.Refresh replaces it. expiries
//     (expiries.go), one per manager, is a heap of the connections' deadlines with one timer,
//     not a timer per connection; it closes a connection with CloseTokenExpired (4401) at its
//     deadline.
//   - Message (message.go) is one outbound JSON object, encoded once and shared by every
//     recipient; an alarm's carries its seq, so that a connection never sends one twice.
//     PongMessage and ErrorMessage (replies.go) build the engine's own answers.
//   - Handler (handler.go) handles one type of inbound message; the manager answers "ping"
//     itself, invalid JSON with error code 51 and an unknown type with 59.
//   - Replay (replay.go) is history a connection gets before any live message (the alarm
//     console's, read from the store); snapshots (snapshots.go) are the latest row data per key a
//     new dashboard gets first, and the history a chart fills its time window from
//     (Manager.History), in one ring per key, in a memory bounded in bytes (snapshot_cost.go) and
//     shared fairly between business types (shares.go).
//   - Options (options.go) are a manager's limits and timers; DefaultOptions are the engine's
//     defaults, from which Pulse's configuration (config.Default) takes its own.
//   - Stream (stream.go) is the other kind of connection: one-way, such as a Server-Sent Events
//     response (internal/sse). AttachStream serves it as Attach serves a WebSocket: the same
//     router, queue, overflow rule, snapshot, replay, pings (its heartbeats) and expiry; only the
//     transport differs. Its connection's goroutine writes it (the writers' fast path writes
//     WebSockets only), a goroutine per stream waits in Stream.Wait for the client to leave, and
//     it is never dropped for silence, since it reads nothing.
//   - Upgrade (upgrade.go) upgrades an HTTP request with the socket wrapped in a frameConn
//     (frameconn.go), which hands gorilla/websocket one frame at a time and counts the client's
//     frames against InboundRate.
//
// # From a publish to the socket
//
// A row-data item: POST /api/v1/rowdata (internal/controller/ingest) is validated and encoded
// once by internal/service/ingest, which publishes it on the bus (internal/bus: at once in memory,
// or through Redis to every node). The bus hands it to App.deliver (internal/app/app.go), which
// calls Manager.Publish with Key{Type: businessType, ID: businessId}. Publish, under the manager's
// read lock, asks BusinessIndex for the subscribers of (T, I) and (T, *) and, where the manager
// keeps snapshots, records the message in the key's snapshot; then, the lock released, it hands
// the message and its recipients to the manager's writers (one per core; each connection has
// its own). A writer (writer.go) that finds one publish waiting writes it to each recipient with
// nothing queued straight away (Conn.deliver): the frame is built once, and each write is one
// system call that never waits. A recipient that has messages queued, or whose socket cannot
// take the frame at once, gets it queued; when several publishes wait, the writer queues them
// all and then writes each connection's queue as one text frame of newline-separated messages
// (Conn.writeReady): one system call per connection for all of them. A connection that needs
// more than that (the rest of a frame its socket could not take, a ping, a close, a replay) is
// handed to its own goroutine (Conn.writeLoop), which writes with gorilla and may wait.
//
// An alarm: POST /api/v1/alarm goes from internal/service/ingest to the alarm store
// (internal/service/alarm, alarm.go), which commits it, gives it a seq and only then rings the
// bus with the alarm's business beside it. App.deliver passes it to the alarm Feed
// (internal/service/alarm/feed.go), which publishes the events itself, in seq order, reading what
// the bus lost from the store: each with the alarm's business as its Key and its seq
// (NewSeqMessage), to the alarm manager, whose Everyone router picks every console whose scope
// covers the key (every console, with auth off); from Send on it travels as row data does. A console that connects
// (internal/controller/ws/door.go) is attached with a Replay (internal/service/alarm/replay.go):
// its writer first writes the history, then drops the queued live alarms the history covered.
//
// # Goroutines
//
// There is no hub goroutine and no goroutine per idle connection:
//
//   - Publishers: Manager.Publish runs on the caller's goroutine (an HTTP handler, the Redis
//     subscriber, the alarm feed) and never waits for a client: it hands the message to the
//     writers; Send only queues.
//   - The writers (writer.run), one per core per manager, run only while they have publishes or
//     connections in line, and never wait for a socket. A writer owns a connection while its
//     state is writerQueued.
//   - The connection's goroutine (Conn.writeLoop), one per connection at most, runs only while
//     the connection has something the fast path does not write: the rest of a frame, a ping,
//     its close, a replay, a slow client's queue (or every queue, for sockets without the fast
//     path: TLS, or no poller). It exits when the queue is empty. It runs the Replay first, and
//     the connection's teardown last.
//   - The pinger (Manager.pinger), one per manager, asks every connection's writer for a ping each
//     PingInterval, spread over 16 groups, and aborts connections not heard from for PongTimeout.
//   - The expiry timer (expiries.fire), one per manager that has deadlines, runs when the
//     earliest deadline passes, closes what is due and re-arms for the next.
//   - The poller (poller_linux.go), one per process on Linux, watches the sockets of idle
//     connections with epoll and starts a short-lived reader (Conn.readReady) when one has input.
//   - The reader: with the poller, readReady reads every frame there is, answering pings and
//     pongs itself and handing the rest to gorilla, then re-arms the socket and exits. Without
//     the poller (not Linux, TLS, or a socket epoll refused), one goroutine per connection
//     (Conn.readLoop) reads until the client goes away.
//
// # A connection between the poller and a reader
//
// Conn.startReading gives the connection's socket to the poller, armed one-shot: one event
// starts one reader, so that no two readers read one socket. The reader reads with readNow,
// which never waits; frameConn never lets gorilla buffer a byte past the frame it reads, so
// when readNow finds nothing, nothing is waiting anywhere: the reader re-arms the socket
// (poller.rearm) and ends. Epoll is level-triggered, so input that came in between is reported
// at once. Inside a message the reader waits for its remaining frames, at most MessageTimeout.
// A read error or a close ends reading for good; teardown makes the poller forget the
// connection (poller.forget), so a late event finds nothing.
//
// # Locks
//
// The order is Manager.mu, then snapshots.mu or a Conn's mu; the alarm Feed's mutex
// (internal/service/alarm) comes before all of them, since the feed publishes while it holds it.
//
//   - Manager.mu (RWMutex) guards the router and the snapshots' registration: Publish holds it
//     shared, so publishers run side by side; Attach and removal hold it exclusively. Routers have
//     no lock of their own.
//   - Conn.mu guards the queue and who writes it (writer: nobody, its manager's writer or its own
//     goroutine), pingDue, state and close code. It is held only to change them: never across a
//     socket write or a call out of the package, and never while taking Manager.mu (teardown
//     removes the connection without it).
//   - frameConn.writeMu orders the frames on one socket: gorilla's writes (through
//     frameConn.Write: pings, pongs, closes, the goroutine's frames) and the fast path's. The
//     fast path only tries it (TryLock) and never waits for it; a frame it could write only in
//     part keeps it held for the connection's goroutine, which writes the rest and releases it.
//   - writer.mu guards a writer's lists; nothing is taken under it.
//     closeAndUnlock and wakeWriterAndUnlock are called with it held and release it: they end
//     the caller's critical section and start the writer after the unlock.
//   - poller.mu guards the poller's table of connections; nothing else is taken under it.
//   - expiries.mu guards the heap and each Conn's place in it (expires, expiryIndex,
//     expiryGone); it is taken with no other lock held and nothing is taken under it: the timer
//     closes expired connections after releasing it. A Conn's grant is an atomic pointer,
//     read by Publish without a lock.
//
// Data frames are written by the connection's writer of the moment: its manager's writer, or its
// goroutine, never both (Conn.writer says which). The reader writes pongs (and gorilla, on the
// reader, echoes a client's close frame) with WriteControl, which gorilla allows beside the
// writer; frameConn.writeMu keeps them from coming between the parts of a frame.
//
// # What may block
//
// Publish and Send never block on a client, nor do the writers. A Handler runs on the connection's reader: while it
// runs, the client is not read, so it must answer through Conn.Send and hand anything slow (a
// database commit) to another goroutine. A Replay runs on the writer and may wait for the store:
// live messages queue behind it, under the overflow rule. A socket write may block for at most
// WriteTimeout; then the connection is aborted. Teardown waits at most CloseGrace for the client's
// close reply. Manager.Shutdown lets every writer write what is queued, closes with 1001 and
// waits for the connections to end, aborting those left when its context ends.
//
// # Limits
//
//   - MaxMessageSize: a larger inbound message closes the connection with 1009, a compressed one
//     once inflated (compress.go: where the connection negotiated permessage-deflate, frames of
//     its goroutine of 512 bytes or more are compressed; the fast path's stay plain).
//   - MessageTimeout: a message not complete this long after its first frame closes it with 1008.
//   - InboundRate: frames per second a client may send, bursts of twice that; pongs that answer
//     the server's pings are free. Over it: 1008. 0 (the engine's default) is no limit.
//   - PongTimeout: a client not heard from (any frame) for this long is aborted, and a read
//     waiting for the rest of a frame gives up after as long.
//   - SendQueue and Overflow: a full queue keeps only the newest message of each key (Coalesce,
//     counted in Stats.Coalesced; coalesce.go), drops its oldest message (DropOldest, counted in
//     Stats.Dropped) or closes the connection with 1013 (CloseSlow, counted in Stats.SlowClosed).
//   - WriteTimeout: a write blocked this long aborts the connection.
//   - A grant's Expires: the connection is closed with 4401 unless refreshed before.
//   - A binary message closes the connection with 1003; invalid JSON and an unknown type are
//     answered with an error message (51, 59) and the connection stays open.
//
// # Counting
//
// A manager counts publishes, deliveries, frames written and read, drops, 1013 closes and closes
// by code (Stats) in plain atomics, added to where the work is done anyway: one add per publish,
// one per round in a counter of each writer's, and one per frame in a counter of the connection's
// own (its goroutine's or reader's alone: no cache line shared by thousands of goroutines), the
// connection's counts joining the manager's when it is removed. Nothing is counted per delivery on the fan-out. The metrics endpoint (internal/metrics)
// reads Stats when it is scraped; the engine knows nothing of it.
package hub
