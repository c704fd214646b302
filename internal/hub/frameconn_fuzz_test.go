package hub

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/wsframe"
)

// memConn is a client's byte stream in memory, handed out at most chunk bytes a read. It counts
// what was read, so a test sees whether a reader took a byte past a frame's end.
type memConn struct {
	net.Conn // nil: the frame reader only reads
	data     []byte
	pos      int
	chunk    int
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.pos == len(m.data) {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), m.chunk)], m.data[m.pos:])
	m.pos += n
	return n, nil
}

// refHeader decodes a client frame header at the start of b from the bytes alone, as package
// wsframe's Parse does, without the reader's state: the header's length, and whether b holds all
// of it.
func refHeader(b []byte) (h wsframe.Header, size int, complete bool) {
	size, complete = h.Parse(b)
	return h, size, complete
}

// FuzzFrameReader feeds arbitrary bytes to the frame reader, read as gorilla reads it (Read, at
// most readSize bytes at a time) or as the poller's reader does (a header, then a heartbeat's
// payload itself or the rest of the frame through Read). It never panics, never reads a byte past
// the end of the current frame, hands over exactly the frame's bytes (a heartbeat's payload
// unmasked), and ends in a clean error when the input runs out or the rate is exceeded.
func FuzzFrameReader(f *testing.F) {
	join := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	for _, seed := range [][]byte{
		frame(true, websocket.TextMessage, appPing),
		join(frame(false, websocket.TextMessage, `{"type":`), frame(true, websocket.PingMessage, "p"), frame(true, 0, `"ping"}`)),
		join(frame(true, websocket.PongMessage, "x"), frame(true, websocket.CloseMessage, "\x03\xe8")),
		frame(true, websocket.TextMessage, string(make([]byte, 300))),       // 16-bit length
		frame(true, websocket.TextMessage, string(make([]byte, 70000))),     // 64-bit length
		frame(true, websocket.TextMessage, appPing)[:5],                     // cut in the header
		frame(true, websocket.TextMessage, appPing)[:9],                     // cut in the payload
		{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'},                               // unmasked
		{0x89, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},                 // negative length
		{0x82, 0xfe, 0xff, 0xff, 1, 2, 3, 4},                                // longer than the input
		join(frame(true, websocket.PingMessage, string(make([]byte, 126)))), // too long for a ping
	} {
		f.Add(seed, uint8(7), uint16(512), false, false)
		f.Add(seed, uint8(1), uint16(1), true, true)
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8, readSize uint16, pollerWay, limited bool) {
		src := &memConn{data: in, chunk: max(int(chunk), 1)}
		fc := newFrameConn(src, false)
		rate := 0.0
		if limited {
			rate = 1 // a burst of 2 frames
		}
		fc.limit = newInboundLimit(rate, time.Now())
		buf := make([]byte, max(int(readSize), 1))
		var payload [wsframe.MaxControlPayload]byte
		for frames := 0; ; frames++ {
			start := src.pos
			ref, size, complete := refHeader(in[start:])
			end := start + size + int(max(ref.Length, 0))
			if complete && ref.Length >= 0 && (ref.Length > int64(len(in)) || end > len(in)) {
				end = len(in) + 1 // the input ends inside the payload
			}
			clean := func(err error) {
				t.Helper()
				switch {
				case errors.Is(err, errInboundRate):
					if !limited || frames < 2 {
						t.Fatalf("frame %d refused by a rate of %v", frames, rate)
					}
				case err != io.EOF && err != io.ErrUnexpectedEOF:
					t.Fatalf("frame %d: error %v", frames, err)
				case complete && end <= len(in) && src.pos == end:
					t.Fatalf("frame %d: error %v for a whole frame", frames, err)
				}
				if src.pos > min(end, len(in)) {
					t.Fatalf("frame %d: read to %d, past the frame's end %d", frames, src.pos, end)
				}
			}
			if pollerWay {
				h, err := fc.readHeader(0)
				if err != nil {
					clean(err)
					return
				}
				if !complete || h != ref || src.pos != start+size {
					t.Fatalf("frame %d: header %+v read to %d, want %+v read to %d", frames, h, src.pos, ref, start+size)
				}
				if isHeartbeat(&h) {
					p, err := fc.heartbeatPayload(&h, &payload)
					if err != nil {
						clean(err)
						return
					}
					if src.pos != end {
						t.Fatalf("frame %d: heartbeat read to %d, its end is %d", frames, src.pos, end)
					}
					for i := range p {
						if p[i] != in[start+size+i]^h.Mask[i%4] {
							t.Fatalf("frame %d: heartbeat payload %q, not the input unmasked", frames, p)
						}
					}
					continue
				}
			}
			var got []byte
			for len(got) < end-start {
				n, err := fc.Read(buf)
				got = append(got, buf[:n]...)
				if src.pos > min(end, len(in)) {
					t.Fatalf("frame %d: read to %d, past the frame's end %d", frames, src.pos, end)
				}
				if err != nil {
					clean(err)
					return
				}
				if n == 0 {
					t.Fatalf("frame %d: a read of nothing and no error", frames)
				}
			}
			if !bytes.Equal(got, in[start:end]) {
				t.Fatalf("frame %d: handed over %x, want %x", frames, got, in[start:end])
			}
		}
	})
}
