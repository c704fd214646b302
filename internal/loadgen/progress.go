package loadgen

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress rewrites one status line on w every second ("\r"-updated) while a phase runs.
type progress struct {
	w    io.Writer
	mu   sync.Mutex // guards line, last and writing to w
	line func() string
	last int // length of the line on screen
	stop chan struct{}
	done chan struct{}
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	if w == nil {
		close(p.done)
		return p
	}
	go p.loop()
	return p
}

// show makes line the status of the current phase, drawn at the next tick.
func (p *progress) show(line func() string) {
	p.mu.Lock()
	p.line = line
	p.mu.Unlock()
}

// clear removes the status line now, so that other output starts on a clean line, until the
// next show.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line = nil
	if p.w != nil && p.last > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.last))
		p.last = 0
	}
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.line != nil {
				s := p.line()
				fmt.Fprintf(p.w, "\r%s%s", s, strings.Repeat(" ", max(p.last-len(s), 0)))
				p.last = len(s)
			}
			p.mu.Unlock()
		}
	}
}

// close clears the line and stops.
func (p *progress) close() {
	p.clear()
	select {
	case <-p.done:
	default:
		close(p.stop)
		<-p.done
	}
}
