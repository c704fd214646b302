// Package syncbuf is a writer a test reads while other goroutines write to it: a child process's
// output, a logger's. It imports nothing but the standard library.
package syncbuf

import (
	"strings"
	"sync"
)

// Buffer collects what is written, safe for concurrent writes and reads. Its zero value is empty.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *Buffer) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String is what was written so far.
func (o *Buffer) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
