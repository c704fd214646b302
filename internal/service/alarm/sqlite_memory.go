package alarm

import (
	"sync"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePins keeps one block of every size class of the pure-Go SQLite's allocator
// (modernc.org/memory, through modernc.org/libc's malloc) allocated while the store works. That
// allocator carves the blocks of a class (powers of two, 16 bytes to 256 KiB) out of 1 MiB pages it
// maps from the kernel, and unmaps a page as soon as its last block is freed: every statement a
// commit parsed and ran mapped, touched (page faults) and unmapped the same pages again, a quarter
// of a group commit's time. With one block held, a class's first page stays mapped.
//
// The price is that those pages stay resident as far as a load ever touched them (up to 1 MiB per
// class, 15 classes: about 9 MiB after a soak while SQLite itself used 100 KiB), so the pins are
// let go when the store is idle (releaseMemory) and taken again by the next commit.
var sqlitePins pins

type pins struct {
	mu     sync.Mutex
	tls    *libc.TLS
	blocks []uintptr
}

// hold allocates the blocks unless they are held; the first call also turns on SQLite's memory
// statistics (see enableSQLiteMemoryStatus) and seals the allocator's first pages (sealSQLiteHeap).
func (p *pins) hold() {
	enableSQLiteMemoryStatus()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocks != nil {
		return
	}
	if p.tls == nil {
		p.tls = libc.NewTLS() // never closed: the blocks are freed through it again and again
		sealSQLiteHeap()      // after the one long-lived thing this makes (see sealSQLiteHeap)
	}
	for size := 16; size <= 256<<10; size *= 2 {
		p.blocks = append(p.blocks, libc.Xmalloc(p.tls, uint64(size)))
	}
}

// release frees the blocks, if held: a page nothing else uses is unmapped.
func (p *pins) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.blocks {
		libc.Xfree(p.tls, b)
	}
	p.blocks = nil
}

// held is the number of blocks held (for tests).
func (p *pins) held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.blocks)
}

// enableSQLiteMemoryStatus turns on SQLite's memory statistics, before the first connection
// initialises the library (they can be turned on only then): without them sqlite3_memory_used
// reads 0 and the soft heap limit (sqlitePragmas) is not enforced.
var enableSQLiteMemoryStatus = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.NewVaList(int32(1))
	sqliteMemoryStatus = sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_MEMSTATUS, va) == sqlite3.SQLITE_OK
	libc.Xfree(tls, va)
})

// sqliteMemoryStatus is whether SQLite keeps its memory statistics (see enableSQLiteMemoryStatus): it
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
