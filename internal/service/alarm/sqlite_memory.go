package alarm

import (
	"sync"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// prepareSQLite readies the process for SQLite stores before their first connection: SQLite's
// memory statistics on (configureSQLite), then libc's allocator shaped for a load's churn
// (sealSQLiteHeap). Each is done once.
func prepareSQLite() {
	configureSQLite()
	sealSQLiteHeap()
}

// configureSQLite turns on SQLite's memory statistics, before the first connection initialises
// the library (they can be turned on only then): without them sqlite3_memory_used reads 0 and the
// soft heap limit (sqlitePragmas) is not enforced.
var configureSQLite = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.NewVaList(int32(1))
	sqliteMemoryStatus = sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_MEMSTATUS, va) == sqlite3.SQLITE_OK
	libc.Xfree(tls, va)
})

// sqliteMemoryStatus is whether SQLite keeps its memory statistics (see configureSQLite): it
// cannot when a connection was opened before, e.g. by another package.
var sqliteMemoryStatus bool

// sqliteMemory is the memory SQLite holds (page caches, schemas, statements: what it asked its
// allocator for, all connections of the process together) and its soft heap limit, beyond which
// it reuses its page caches' pages rather than grow them. ok is false when SQLite keeps no
// statistics. The allocator rounds each block up to a power of two, so the resident memory this
// takes is up to twice used: a page cache's page is 4 KiB and a header, an 8 KiB block.
func sqliteMemory() (used, limit int64, ok bool) {
	if !sqliteMemoryStatus {
		return 0, 0, false
	}
	tls := libc.NewTLS()
	defer tls.Close()
	return sqlite3.Xsqlite3_memory_used(tls), sqlite3.Xsqlite3_soft_heap_limit64(tls, -1), true
}
