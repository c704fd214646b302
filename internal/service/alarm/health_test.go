package alarm

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/os/glog"
)

// TestWriteHealthLogsRateLimited: the first failure is logged at once, then at most one line per
// writeLogEvery, which counts the failures not logged; the store is not ready from the first
// failure until a write succeeds, and a logged failure's recovery is logged.
func TestWriteHealthLogsRateLimited(t *testing.T) {
	var out bytes.Buffer
	log := glog.New()
	log.SetWriter(&out)
	log.SetStdoutPrint(false)
	now := time.Unix(1000, 0)
	h := &writeHealth{database: `sqlite database "x.db"`, log: log, now: func() time.Time { return now }}
	lines := func() []string { return strings.Split(strings.TrimSpace(out.String()), "\n") }

	h.result(nil)
	if h.failing() != nil || out.Len() != 0 {
		t.Fatalf("after a success: %v, log %q", h.failing(), out.String())
	}
	disk := errors.New("disk I/O error")
	h.result(disk)
	if err := h.failing(); err == nil || !strings.Contains(err.Error(), `sqlite database "x.db"`) {
		t.Fatalf("after a failure: readiness %v", err)
	}
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], `a write to sqlite database "x.db" failed: disk I/O error`) {
		t.Fatalf("the first failure is not logged at once: %q", l)
	}
	for range 5 {
		now = now.Add(time.Second)
		h.result(disk)
	}
	if l := lines(); len(l) != 1 {
		t.Fatalf("failures within %s logged: %q", writeLogEvery, l)
	}
	now = now.Add(writeLogEvery)
	h.result(disk)
	if l := lines(); len(l) != 2 || !strings.Contains(l[1], "(and 5 more since the last line): disk I/O error") {
		t.Fatalf("the next line after %s: %q", writeLogEvery, l)
	}
	h.result(nil)
	if l := lines(); h.failing() != nil || len(l) != 3 || !strings.Contains(l[2], "succeed again, after 7 failures") {
		t.Fatalf("after a success: readiness %v, log %q", h.failing(), l)
	}
}
