package hub

import (
	"bytes"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// BenchmarkReadHeartbeat: the poller's reader meets a client's ping (a masked 4-byte frame): its
// header, then its payload unmasked. ns/op is per frame.
func BenchmarkReadHeartbeat(b *testing.B) {
	in := bytes.Repeat(frame(true, websocket.PingMessage, "beat"), 4096)
	src := &memConn{data: in, chunk: len(in)}
	fc := newFrameConn(src, false)
	fc.limit = newInboundLimit(0, time.Now())
	var payload [wsframe.MaxControlPayload]byte
	for b.Loop() {
		if src.pos == len(in) {
			src.pos = 0
		}
		h, err := fc.readHeader(0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := fc.heartbeatPayload(&h, &payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendTextFrame: a writer's batch of three 64-byte objects in one frame.
func BenchmarkAppendTextFrame(b *testing.B) {
	m := NewMessage(bytes.Repeat([]byte("x"), 64))
	batch := []*Message{m, m, m}
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = appendTextFrame(buf[:0], batch)
	}
}
