package notify

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	_ "github.com/glebarez/go-sqlite"
)

// TestWritingRelaxesOnlyItsOwnWrite: the dispatcher's writes on SQLite run with synchronous
// NORMAL, and the connection goes back to the pool syncing as the link set it; a link that asks
// for less is left alone.
func TestWritingRelaxesOnlyItsOwnWrite(t *testing.T) {
	for _, c := range []struct {
		link         string
		during, then int // PRAGMA synchronous: 1 NORMAL, 2 FULL, 3 EXTRA
	}{
		{"_pragma=synchronous(FULL)", 1, 2},
		{"_pragma=synchronous(EXTRA)", 1, 3},
		{"_pragma=synchronous(NORMAL)", 1, 1},
		{"_pragma=synchronous(OFF)", 0, 0},
	} {
		db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/w.db?"+c.link)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1) // the connection written on is the one read after
		s := NewStore(db, "sqlite", &sync.Mutex{})
		ctx := context.Background()
		for range 2 { // the level is read on the first write and remembered
			h, end, err := s.writing(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := synchronous(t, h); got != c.during {
				t.Errorf("%s: synchronous %d while writing, want %d", c.link, got, c.during)
			}
			end()
			if got := synchronous(t, db); got != c.then {
				t.Errorf("%s: synchronous %d after, want %d", c.link, got, c.then)
			}
		}
		db.Close()
	}
}

func synchronous(t *testing.T, h handle) int {
	t.Helper()
	rows, err := h.QueryContext(context.Background(), "PRAGMA synchronous")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var level int
	if !rows.Next() {
		t.Fatal("PRAGMA synchronous: no row")
	}
	if err := rows.Scan(&level); err != nil {
		t.Fatal(err)
	}
	return level
}
