package auth_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/glog"
)

// logCapture holds what the process's loggers (glog's default and g.Log()) write during a test,
// instead of stdout; it is also a writer for a node's own loggers.
type logCapture struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// captureLog points the loggers at a new logCapture until the test ends. Call it before a node
// starts: cleanups run last first, so the loggers are reset after the node stopped (a logger's
// writer may not change while the node logs).
func captureLog(t *testing.T) *logCapture {
	t.Helper()
	c := new(logCapture)
	loggers := []*glog.Logger{glog.DefaultLogger(), g.Log()}
	t.Cleanup(func() {
		for _, l := range loggers {
			l.SetWriter(nil)
			l.SetStdoutPrint(true)
		}
	})
	for _, l := range loggers {
		l.SetWriter(c)
		l.SetStdoutPrint(false)
	}
	return c
}

func (c *logCapture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(p)
}

func (c *logCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}
