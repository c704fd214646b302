package alarm

import (
	"database/sql"
	"sync"

	"modernc.org/libc"
)

// sealSQLiteHeap keeps the blocks that live as long as the process away from the pages a load
// churns through: it lets SQLite and libc make their own long-lived blocks first (a throwaway
// in-memory connection), then takes every block left in the page each size class is carving
// (sqlitePage: the allocator maps 1 MiB pages and hands out their blocks in order), so that from
// then on the blocks of connections, statements and caches come from pages of their own.
//
// Without it, the few dozen long-lived blocks (libc's and SQLite's own, 36 of them after a load)
// sit in the first pages a load then fills and frees again and again; a page stays mapped while
// one block in it is used, and resident as far as it was ever touched: about 6 MiB of an idle
// node after a soak, for 2 KiB used. The blocks taken here are never written, so the kernel never
// backs them with memory: they cost address space only.
var sealSQLiteHeap = sync.OnceFunc(func() {
	if db, err := sql.Open("sqlite", ":memory:"); err == nil {
		_, _ = db.Exec("CREATE TABLE warm (x); SELECT x FROM warm")
		_ = db.Close()
	}
	tls := libc.NewTLS() // never closed, as the blocks it took are never freed
	for size := 16; size <= 256<<10; size *= 2 {
		page := libc.Xmalloc(tls, uint64(size)) &^ (sqlitePage - 1)
		for {
			p := libc.Xmalloc(tls, uint64(size))
			if p&^(sqlitePage-1) != page { // the page is full: this block opened another
				libc.Xfree(tls, p)
				break
			}
		}
	}
})

// sqlitePage is the size (and alignment) of the pages of modernc.org/memory, the allocator of
// modernc.org/libc's malloc, on Linux and the other Unixes.
const sqlitePage = 1 << 20
