package loadgen

import (
	"net"
	"testing"
	"time"
)

// instantConn answers every Read at once.
type instantConn struct{ net.Conn }

func (instantConn) Read(p []byte) (int, error) { return len(p), nil }

func TestGateSpacesOutMessageReads(t *testing.T) {
	g := newGate(time.Hour)
	c := &gatedConn{Conn: instantConn{}, gate: g}
	buf := make([]byte, 8)

	c.atMessage = true
	read := func() chan struct{} {
		done := make(chan struct{})
		go func() { _, _ = c.Read(buf); close(done) }()
		return done
	}
	select { // the first message of a round is read at once
	case <-read():
	case <-time.After(time.Second):
		t.Fatal("first read waited")
	}
	select { // so is the rest of a message
	case <-read():
	case <-time.After(time.Second):
		t.Fatal("a read inside a message waited")
	}
	c.atMessage = true
	done := read() // the next message waits for the next round...
	select {
	case <-done:
		t.Fatal("a second message in one round did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	g.close() // ...which closing the gate ends for good
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("closing the gate left a reader waiting")
	}
}
