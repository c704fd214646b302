package alarm

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

func sqliteNode(t *testing.T) gdb.ConfigNode {
	return gdb.ConfigNode{Link: "sqlite::@file(" + t.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"}
}

// sqliteUsed is the memory SQLite holds now; the test fails when SQLite keeps no statistics.
func sqliteUsed(t *testing.T, s *Service) int64 {
	t.Helper()
	used, _, ok := s.SQLiteMemory()
	if !ok {
		t.Fatal("SQLite keeps no memory statistics: /metrics could not show pulse_sqlite_memory_bytes")
	}
	return used
}

// TestSQLiteMemoryIsCountedAndLetGo: the memory SQLite holds is counted, grows as commits fill the
// write connection's page cache, and most of that growth is given back when the write connection
// lets its cache go (what the committer does once idle).
func TestSQLiteMemoryIsCountedAndLetGo(t *testing.T) {
	defer func(d time.Duration) { idleRelease = d }(idleRelease)
	idleRelease = time.Hour // the committer itself does not let go during the test
	s := open(t, sqliteNode(t), newRecorder())
	raiseN(t, s, 0, 1)
	before := sqliteUsed(t, s)
	for i := 1; i < 20000; i += 1000 {
		raiseN(t, s, i, 1000)
	}
	filled := sqliteUsed(t, s)
	if filled-before < 1<<20 {
		t.Fatalf("20,000 alarms committed: SQLite holds %d bytes, from %d: the write connection's cache did not grow", filled, before)
	}
	s.store.releaseMemory()
	if after := sqliteUsed(t, s); after > before+(filled-before)/4 {
		t.Fatalf("SQLite holds %d bytes after the write connection let its cache go: from %d before the commits and %d after them", after, before, filled)
	}
	if n := len(s.store.cache.entries); n != 0 {
		t.Fatalf("the state cache holds %d alarms after the release", n)
	}
	// The store still works: the next commit reads what it needs from the file;
	// an alarm raised before counts its repeat from its stored state.
	if r := raiseN(t, s, 20001, 1); r[0].Seq != 20002 {
		t.Fatalf("a raise after the release got seq %d, want 20002", r[0].Seq)
	}
	raiseN(t, s, 5, 1)
	if a, err := s.Ack(context.Background(), bKey("a-5"), Change{User: "x"}, model.Scope{}); err != nil || a.Count != 2 {
		t.Fatalf("a-5 raised again after the release: %+v, %v; want it counted twice", a, err)
	}
}

// TestIdleCommitterLetsSQLiteMemoryGo: once the committer has had no request for idleRelease, the
// memory the commits' pages took is given back without anyone asking.
func TestIdleCommitterLetsSQLiteMemoryGo(t *testing.T) {
	defer func(d time.Duration) { idleRelease = d }(idleRelease)
	idleRelease = 50 * time.Millisecond
	s := open(t, sqliteNode(t), newRecorder())
	raiseN(t, s, 0, 1)
	before := sqliteUsed(t, s)
	for i := 1; i < 20000; i += 1000 {
		raiseN(t, s, i, 1000)
	}
	var used int64
	if !poll.Until(func() bool { used = sqliteUsed(t, s); return used < before+1<<20 }) {
		t.Fatalf("SQLite still holds %d bytes with the committer idle, from %d before 20,000 alarms were committed", used, before)
	}
}

// TestSQLiteSoftHeapLimitFromTheLink: a soft heap limit given in the link holds SQLite's memory
// near it however many alarms are committed (the caches reuse their pages), and is what the
// metric of the limit shows.
func TestSQLiteSoftHeapLimitFromTheLink(t *testing.T) {
	const limit = 4 << 20
	node := sqliteNode(t)
	node.Link += "&soft_heap_limit=" + strconv.Itoa(limit)
	s := open(t, node, newRecorder())
	t.Cleanup(func() { // the limit is the process's: the next tests run without it
		tls := libc.NewTLS()
		defer tls.Close()
		sqlite3.Xsqlite3_soft_heap_limit64(tls, 0)
	})
	for i := 0; i < 20000; i += 1000 {
		raiseN(t, s, i, 1000)
	}
	used, got, ok := s.SQLiteMemory()
	if !ok || got != limit {
		t.Fatalf("SQLiteMemory reports the limit %d (statistics kept: %v), want the link's %d", got, ok, limit)
	}
	if used > limit+1<<20 {
		t.Fatalf("SQLite holds %d bytes after 20,000 alarms under a soft heap limit of %d", used, limit)
	}
}

// TestWriteCacheGrowsForLargeCommits: the write connection starts with a small page cache, which
// a steady trickle of small commits keeps; a commit of bigCommit operations grows it, and letting
// the connection go (when idle) starts the next one small again.
func TestWriteCacheGrowsForLargeCommits(t *testing.T) {
	defer func(d time.Duration) { idleRelease = d }(idleRelease)
	idleRelease = time.Hour // the committer itself does not let go during the test
	s := open(t, sqliteNode(t), newRecorder())
	cacheSize := func() int {
		t.Helper()
		conn, err := s.store.writeConn(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var kib int
		if err := conn.QueryRowContext(context.Background(), "PRAGMA cache_size").Scan(&kib); err != nil {
			t.Fatal(err)
		}
		return -kib
	}
	for i := range 20 {
		raiseN(t, s, i*10, 10)
	}
	if got := cacheSize(); got != 2048 {
		t.Fatalf("after small commits the write connection's cache is %d KiB, want 2048", got)
	}
	raiseN(t, s, 1000, bigCommit)
	if got := cacheSize(); got != 16384 {
		t.Fatalf("after a commit of %d alarms the cache is %d KiB, want 16384", bigCommit, got)
	}
	s.store.releaseMemory()
	if got := cacheSize(); got != 2048 {
		t.Fatalf("after the connection was let go the next one's cache is %d KiB, want 2048", got)
	}
}
