// Package sse serves a hub connection as a Server-Sent Events response (the text/event-stream
// format of the HTML standard), for networks whose proxies break WebSocket: Open answers the
// request with the stream's headers and takes its socket over; Stream implements hub.Stream.
//
// Each object Pulse would send in a WebSocket frame is one event of one data: line (objects are
// single-line JSON). An object with a seq (an alarm event, synced) carries it as the event's id:,
// so that a client that reconnects sends it back as Last-Event-ID. The heartbeat is a comment
// line. The response has no length and no chunking: it ends when the server closes the
// connection, so that a batch leaves in one write, as in a WebSocket frame.
package sse
