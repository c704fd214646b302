package alarm

import (
	"context"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
)

// TestSQLiteCommitsAreOnDisk: with the default link (WAL, and no synchronous given), the
// connection commits run on and the pool's other connections have synchronous FULL: a commit, and
// so an alarm's 200, returns once the WAL is synced, which survives a power loss. A link that
// says otherwise is obeyed.
func TestSQLiteCommitsAreOnDisk(t *testing.T) {
	for _, tc := range []struct {
		params string
		want   int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{"", 2}, {"&synchronous=NORMAL", 1}} {
		s, err := New(context.Background(), bus.NewMemory(), Options{DB: gdb.ConfigNode{
			Link: "sqlite::@file(" + t.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL" + tc.params}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		ctx := context.Background()
		conn, err := s.store.writeConn(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var sync, autocheckpoint int
		var mode string
		if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&autocheckpoint); err != nil {
			t.Fatal(err)
		}
		if sync != tc.want || mode != "wal" || autocheckpoint != 10000 {
			t.Errorf("link params %q: the write connection has synchronous %d, journal_mode %s, wal_autocheckpoint %d; want %d, wal, 10000",
				tc.params, sync, mode, autocheckpoint, tc.want)
		}
		pooled, err := s.store.db.GetValue(ctx, "PRAGMA synchronous")
		if err != nil {
			t.Fatal(err)
		}
		if pooled.Int() != tc.want {
			t.Errorf("link params %q: a pooled connection has synchronous %d, want %d", tc.params, pooled.Int(), tc.want)
		}
	}
}

func TestWithSQLitePragmas(t *testing.T) {
	for _, tc := range []struct{ in, want gdb.ConfigNode }{
		{gdb.ConfigNode{Link: "sqlite::@file(data/pulse.db)?busy_timeout=5000&journal_mode=WAL"},
			gdb.ConfigNode{Link: "sqlite::@file(data/pulse.db)?busy_timeout=5000&journal_mode=WAL&synchronous=FULL&temp_store=MEMORY"}},
		{gdb.ConfigNode{Link: "sqlite::@file(data/pulse.db)"},
			gdb.ConfigNode{Link: "sqlite::@file(data/pulse.db)?synchronous=FULL&temp_store=MEMORY"}},
		{gdb.ConfigNode{Link: "sqlite::@file(p.db)?Synchronous=OFF&temp_store=FILE"},
			gdb.ConfigNode{Link: "sqlite::@file(p.db)?Synchronous=OFF&temp_store=FILE"}},
		{gdb.ConfigNode{Type: "sqlite", Link: ":@file(p.db)?a=1"},
			gdb.ConfigNode{Type: "sqlite", Link: "sqlite::@file(p.db)?a=1&synchronous=FULL&temp_store=MEMORY"}},
		{gdb.ConfigNode{Type: "sqlite", Name: "p.db", Extra: "busy_timeout=5000"},
			gdb.ConfigNode{Type: "sqlite", Name: "p.db", Extra: "busy_timeout=5000&synchronous=FULL&temp_store=MEMORY"}},
		{gdb.ConfigNode{Type: "sqlite", Name: "p.db"},
			gdb.ConfigNode{Type: "sqlite", Name: "p.db", Extra: "synchronous=FULL&temp_store=MEMORY"}},
		{gdb.ConfigNode{Link: "mysql:root:@tcp(127.0.0.1:3306)/pulse"}, gdb.ConfigNode{Link: "mysql:root:@tcp(127.0.0.1:3306)/pulse"}},
		{gdb.ConfigNode{Type: "pgsql", Host: "db", Name: "pulse"}, gdb.ConfigNode{Type: "pgsql", Host: "db", Name: "pulse"}},
	} {
		if got := withSQLitePragmas(tc.in); got != tc.want {
			t.Errorf("%+v:\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}
