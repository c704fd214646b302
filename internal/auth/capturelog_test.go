package auth_test

import (
	"testing"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/testsvc/syncbuf"
)

// captureLog points the process's loggers (glog's default and g.Log()) at a new buffer instead of
// stdout until the test ends; the buffer may take a node's own loggers too. Call it before a node
// starts: cleanups run last first, so the loggers are reset after the node stopped (a logger's
// writer may not change while the node logs).
func captureLog(t *testing.T) *syncbuf.Buffer {
	t.Helper()
	c := new(syncbuf.Buffer)
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
