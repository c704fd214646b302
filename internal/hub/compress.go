package hub

import "github.com/gorilla/websocket"

// Compression (permessage-deflate, RFC 7692, without context takeover) is negotiated by the
// Upgrader (EnableCompression: ws.compression) with clients that offer it. The engine then
// compresses only the frames where it pays, measured by BenchmarkCompressFrame
// (docs/PERFORMANCE.md): a frame of compressFrom bytes or more, written by the connection's
// goroutine. That is a batch of several messages (a client that fell behind: 4 row items shrink by
// 70 %, 16 by 84 %) or a replay's frame. A single row item (150 bytes: 25 % smaller for some 8 µs
// of CPU) stays plain, and so does every frame of the fast path: a broadcast's frame is built once
// and written to every subscriber as it is. RFC 7692 lets a sender leave any message plain (RSV1
// clear), so the connection's frames may be mixed.
//
// Inbound, gorilla inflates what the client compressed; readMessage bounds what it inflates by
// MaxMessageSize (a compression bomb is closed with 1009), as gorilla's read limit bounds only the
// bytes on the wire.

// compressFrom is the smallest frame payload compressed on a connection that negotiated it.
const compressFrom = 512

// compressIfWorth turns write compression on for a frame of n payload bytes when it pays; on a
// connection that did not negotiate compression gorilla ignores it.
func compressIfWorth(ws *websocket.Conn, n int) {
	ws.EnableWriteCompression(n >= compressFrom)
}

// batchSize is the payload of batch as one frame: the messages and the newlines between them.
func batchSize(batch []*Message) int {
	n := len(batch) - 1
	for _, m := range batch {
		n += len(m.data)
	}
	return n
}
