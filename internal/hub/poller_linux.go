//go:build linux

package hub

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

var errPollerBroken = errors.New("poller stopped")

// poller watches the sockets of idle connections and starts a reader when one has input, so that
// an idle connection costs no goroutine (a parked reader keeps a 4 KB stack, and the garbage
// collector lets the heap grow by as much again). One epoll instance serves the process. Each
// socket is armed one-shot: one event, one reader, which re-arms the socket when it has read all
// there is. The epoll descriptor is itself waited on through Go's network poller, so no thread
// blocks in epoll_wait.
type poller struct {
	fd   int
	file *os.File // fd, for Go's network poller
	raw  syscall.RawConn

	broken atomic.Bool // run ended: new connections are read the classic way

	mu    sync.Mutex
	next  uint64
	conns map[uint64]*Conn // by registration id: an event for a closed socket finds nothing
}

var (
	pollerOnce sync.Once
	thePoller  *poller
)

// sharedPoller returns the process's poller, or nil where epoll cannot be used.
func sharedPoller() *poller {
	pollerOnce.Do(func() {
		p, err := newPoller()
		if err == nil {
			thePoller = p
			go p.run()
		}
	})
	return thePoller
}

func newPoller() (*poller, error) {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	file := os.NewFile(uintptr(fd), "pulse-epoll") // non-blocking: Go's poller watches it
	raw, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, err
	}
	return &poller{fd: fd, file: file, raw: raw, conns: map[uint64]*Conn{}}, nil
}

// watch registers c's socket and arms it.
func (p *poller) watch(c *Conn) error {
	if p.broken.Load() {
		return errPollerBroken
	}
	p.mu.Lock()
	p.next++
	c.pollID = p.next
	p.conns[c.pollID] = c
	p.mu.Unlock()
	if err := p.ctl(c, syscall.EPOLL_CTL_ADD); err != nil {
		p.forget(c)
		return err
	}
	return nil
}

// rearm asks for the next event of c's socket; false when c is forgotten or its socket closed.
func (p *poller) rearm(c *Conn) bool {
	p.mu.Lock()
	_, ok := p.conns[c.pollID]
	p.mu.Unlock()
	return ok && p.ctl(c, syscall.EPOLL_CTL_MOD) == nil
}

// forget drops c: a later event of its socket is ignored. Closing the socket removes it from
// the epoll set.
func (p *poller) forget(c *Conn) {
	p.mu.Lock()
	delete(p.conns, c.pollID)
	if len(p.conns) == 0 {
		p.conns = map[uint64]*Conn{} // a map never shrinks: the table of a crowd goes with it
	}
	p.mu.Unlock()
}

// ctl adds or re-arms c's socket, one-shot. The socket's descriptor is used inside Control, where
// it cannot be closed (and its number reused) underneath.
func (p *poller) ctl(c *Conn, op int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT}
	ev.Fd, ev.Pad = int32(uint32(c.pollID)), int32(uint32(c.pollID>>32))
	var ctlErr error
	if err := c.frames.raw.Control(func(fd uintptr) {
		ctlErr = syscall.EpollCtl(p.fd, op, int(fd), &ev)
	}); err != nil {
		return err
	}
	return ctlErr
}

// run starts a reader for every connection whose socket has input.
func (p *poller) run() {
	events := make([]syscall.EpollEvent, 128)
	for {
		var n int
		var waitErr error
		err := p.raw.Read(func(fd uintptr) bool {
			n, waitErr = syscall.EpollWait(int(fd), events, 0) // 0: never block a thread here
			return n > 0 || waitErr != nil
		})
		if waitErr == syscall.EINTR {
			continue
		}
		if err != nil || waitErr != nil {
			p.broken.Store(true) // nothing closes the poller, so this is unexpected
			return
		}
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			p.mu.Lock()
			c := p.conns[id]
			p.mu.Unlock()
			if c != nil {
				go c.readReady()
			}
		}
	}
}
