//go:build linux

package hub

import (
	"errors"
	"io"
	"syscall"
)

// Socket I/O that never waits: the poller's readers and the writers' fast path use it on the
// sockets whose descriptor they hold (frameConn.raw), which Go keeps non-blocking.

// readNow reads what the socket has without waiting: 0 and no error when it has nothing.
func readNow(raw syscall.RawConn, p []byte) (int, error) {
	var n int
	var readErr error
	if err := raw.Read(func(fd uintptr) bool {
		for {
			n, readErr = syscall.Read(int(fd), p)
			if readErr != syscall.EINTR {
				return true
			}
		}
	}); err != nil {
		return 0, err
	}
	switch {
	case errors.Is(readErr, syscall.EAGAIN):
		return 0, nil
	case readErr != nil:
		return 0, readErr
	case n == 0:
		return 0, io.EOF // the client closed its side
	}
	return n, nil
}

// writeNow writes as much of p as the socket takes without waiting, with nw (whose callback is
// made once: a closure per write would cost three allocations). It returns how much it wrote, and
// errWouldBlock when that was not all of p: the socket's buffer is full, or the socket could not
// be used at once (a deadline past, or closed), which a write that waits will tell.
func writeNow(raw syscall.RawConn, nw *nowaitWrite, p []byte) (int, error) {
	nw.p, nw.n, nw.err = p, 0, nil
	err := raw.Write(nw.fn)
	n, writeErr := nw.n, nw.err
	nw.p, nw.err = nil, nil
	switch {
	case err != nil:
		return 0, errWouldBlock
	case n == len(p):
		return n, nil
	case writeErr == nil || errors.Is(writeErr, syscall.EAGAIN):
		return n, errWouldBlock
	}
	return n, writeErr
}

// nowaitWrite is one writer's state for writeNow.
type nowaitWrite struct {
	p   []byte
	n   int
	err error
	fn  func(fd uintptr) bool // write, bound once
}

func newNowaitWrite() *nowaitWrite {
	nw := &nowaitWrite{}
	nw.fn = nw.write
	return nw
}

// write is the callback of RawConn.Write: it writes until p is written or the socket is full.
func (nw *nowaitWrite) write(fd uintptr) bool {
	for nw.n < len(nw.p) {
		k, err := syscall.Write(int(fd), nw.p[nw.n:])
		if k > 0 {
			nw.n += k
		}
		if err == syscall.EINTR {
			continue
		}
		if err != nil || k <= 0 {
			nw.err = err
			break
		}
	}
	return true // done, whatever happened: never wait
}
