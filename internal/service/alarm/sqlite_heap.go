package alarm

import (
	"sync"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite's own memory (page caches, schemas, statements being parsed and run) comes from the Go
// heap instead of libc's malloc (SQLITE_CONFIG_MALLOC, set before the first connection).
//
// The pure-Go libc's malloc (modernc.org/memory) carves each size class's blocks out of 1 MiB
// pages it hands out in order, and reuses a freed block only once the page it is carving is used
// up: a load that parses and runs statement after statement walks every class through whole
// pages, and each page stays resident as far as it was ever walked while one of its blocks is
// used. Under the soak SQLite used 2.4 MB and its pages held 16 MB, still growing after minutes.
// The Go heap reuses a freed block at once, packs blocks of about their size (a 4 KiB page-cache
// page and its header no longer take 8 KiB), and the runtime gives spans no longer used back to
// the OS.
//
// The collector must not free a block SQLite holds, and SQLite holds addresses (uintptr), which
// the collector does not see: every block is kept in sqliteBlocks until SQLite frees it, and its
// header holds its size and its index there. The collector never moves heap objects.

// sqliteBlockHeader is a block's header: its usable size and its index in sqliteBlocks. Sixteen
// bytes keep the blocks 16-byte aligned, as libc's malloc does: the Go heap's size classes above
// 16 bytes are multiples of 16 but one, and blocks are asked for in multiples of 16.
const sqliteBlockHeader = 16

// sqliteBlockTail pads each block's end, so that an address just past a block's end, which C
// code makes (an end pointer) and the collector may find on a stack as a pointer, still points
// into the block's allocation.
const sqliteBlockTail = 16

// sqliteBlocks keeps the blocks SQLite holds alive for the collector.
var sqliteBlocks struct {
	mu   sync.Mutex
	kept []unsafe.Pointer // by index; nil when free
	free []int            // free indexes
}

// sqliteMemMethods are SQLite's allocation routines (sqlite3_mem_methods) on the Go heap, as
// function values the pure-Go SQLite calls through: a top-level function's value is a pointer to
// a static funcval, which is what SQLite keeps.
var sqliteMemMethods = sqlite3.Sqlite3_mem_methods{
	FxMalloc:   funcAddr(sqliteMalloc),
	FxFree:     funcAddr(sqliteFree),
	FxRealloc:  funcAddr(sqliteRealloc),
	FxSize:     funcAddr(sqliteSize),
	FxRoundup:  funcAddr(sqliteRoundup),
	FxInit:     funcAddr(sqliteMemInit),
	FxShutdown: funcAddr(sqliteMemShutdown),
}

// funcAddr is what SQLite keeps for a function: the address of its function value.
func funcAddr[F any](f F) uintptr { return *(*uintptr)(unsafe.Pointer(&f)) }

// useGoHeapForSQLite installs sqliteMemMethods; it fails (false) once SQLite is initialised, that
// is once a connection was opened in this process.
func useGoHeapForSQLite(tls *libc.TLS) bool {
	va := libc.NewVaList(uintptr(unsafe.Pointer(&sqliteMemMethods)))
	defer libc.Xfree(tls, va)
	return sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_MALLOC, va) == sqlite3.SQLITE_OK
}

func sqliteMalloc(_ *libc.TLS, n int32) uintptr {
	if n <= 0 {
		return 0
	}
	size := sqliteRoundup(nil, n)
	b := make([]byte, sqliteBlockHeader+int(size)+sqliteBlockTail)
	base := unsafe.Pointer(&b[0])
	sqliteBlocks.mu.Lock()
	var i int
	if k := len(sqliteBlocks.free); k > 0 {
		i = sqliteBlocks.free[k-1]
		sqliteBlocks.free = sqliteBlocks.free[:k-1]
		sqliteBlocks.kept[i] = base
	} else {
		i = len(sqliteBlocks.kept)
		sqliteBlocks.kept = append(sqliteBlocks.kept, base)
	}
	sqliteBlocks.mu.Unlock()
	*(*int64)(base) = int64(size)
	*(*int64)(unsafe.Add(base, 8)) = int64(i)
	return uintptr(base) + sqliteBlockHeader
}

// sqliteBlock is the header of the block at p, an address sqliteMalloc returned.
func sqliteBlock(p uintptr) (size int32, index int) {
	base := p - sqliteBlockHeader
	h := *(*[2]int64)(*(*unsafe.Pointer)(unsafe.Pointer(&base)))
	return int32(h[0]), int(h[1])
}

func sqliteFree(_ *libc.TLS, p uintptr) {
	if p == 0 {
		return
	}
	_, i := sqliteBlock(p)
	sqliteBlocks.mu.Lock()
	sqliteBlocks.kept[i] = nil
	sqliteBlocks.free = append(sqliteBlocks.free, i)
	sqliteBlocks.mu.Unlock()
}

func sqliteRealloc(tls *libc.TLS, p uintptr, n int32) uintptr {
	if p == 0 {
		return sqliteMalloc(tls, n)
	}
	size, _ := sqliteBlock(p)
	if n <= size {
		return p
	}
	q := sqliteMalloc(tls, n)
	if q == 0 {
		return 0
	}
	copy(unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&q))), size),
		unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), size))
	sqliteFree(tls, p)
	return q
}

func sqliteSize(_ *libc.TLS, p uintptr) int32 {
	if p == 0 {
		return 0
	}
	size, _ := sqliteBlock(p)
	return size
}

func sqliteRoundup(_ *libc.TLS, n int32) int32 { return (n + 15) &^ 15 }

func sqliteMemInit(*libc.TLS, uintptr) int32 { return sqlite3.SQLITE_OK }

func sqliteMemShutdown(*libc.TLS, uintptr) {}

// sqliteBlocksHeld is the number of blocks SQLite holds on the Go heap (for tests).
func sqliteBlocksHeld() int {
	sqliteBlocks.mu.Lock()
	defer sqliteBlocks.mu.Unlock()
	return len(sqliteBlocks.kept) - len(sqliteBlocks.free)
}
