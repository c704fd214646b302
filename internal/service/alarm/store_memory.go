package alarm

import (
	"cmp"
	"database/sql"
	"time"
)

// idleRelease is how long the committer waits without a request before the write connection lets
// its page cache go (see store.releaseMemory). A variable for tests, read when a Service starts.
var idleRelease = 30 * time.Second

// releaseMemory closes the write connection for good, with SQLite; the next commit opens another.
// Under load its page cache holds, up to its cache_size (store_sql.go), the pages commits wrote,
// most of them rows no commit reads again; closing it frees them, and libc's allocator unmaps a
// page once nothing in it is used (see sealSQLiteHeap for why little else is left in them). The
// next commit reads what it needs from the file, which the OS caches. The pool's idle connections
// are closed too, with their own caches and schemas: the readers that poll while idle (silences,
// the feed) open a new one when they next need it. On every database the state cache is emptied
// (see stateCache.clear): the next commit of an alarm reads its state as a fresh node's does.
func (s *store) releaseMemory() {
	s.cache.clear()
	if s.dialect == "sqlite" {
		s.dropWriteConn()
		s.closeIdleConns()
	}
}

// closeIdleConns closes the pool's idle connections (the pool keeps as many again afterwards).
func (s *store) closeIdleConns() {
	db, err := s.db.Master()
	if err != nil {
		return
	}
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(cmp.Or(s.db.GetConfig().MaxIdleConnCount, gdbMaxIdleConns))
}

// gdbMaxIdleConns is GoFrame's default for database.default.maxIdle.
const gdbMaxIdleConns = 10

// StorePool returns the statistics of the alarm store's connection pool (the write connection
// counts as in use).
func (s *Service) StorePool() sql.DBStats {
	db, err := s.store.db.Master()
	if err != nil {
		return sql.DBStats{}
	}
	return db.Stats()
}

// SQLiteMemory returns the memory SQLite holds and its soft heap limit, when the store is SQLite
// and SQLite keeps memory statistics (see sqliteMemory).
func (s *Service) SQLiteMemory() (used, limit int64, ok bool) {
	if s.store.dialect != "sqlite" {
		return 0, 0, false
	}
	return sqliteMemory()
}
