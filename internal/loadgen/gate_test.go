package loadgen

import (
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// patience bounds a wait for something that is due; see poll.Patience.
const patience = poll.Patience

func TestGateSpacesOutMessageReads(t *testing.T) {
	g := newGate(time.Hour)
	c := &gatedReads{gate: g}

	c.atMessage = true
	wait := func() chan struct{} {
		done := make(chan struct{})
		go func() { c.wait(); close(done) }()
		return done
	}
	select { // the first message of a round is read at once
	case <-wait():
	case <-time.After(patience):
		t.Fatal("first read waited")
	}
	select { // so is the rest of a message
	case <-wait():
	case <-time.After(patience):
		t.Fatal("a read inside a message waited")
	}
	c.atMessage = true
	done := wait() // the next message waits for the next round...
	select {
	case <-done:
		t.Fatal("a second message in one round did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	g.close() // ...which closing the gate ends for good
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatal("closing the gate left a reader waiting")
	}
}
