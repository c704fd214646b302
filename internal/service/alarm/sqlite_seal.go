package alarm

import (
	"database/sql"
	"sync"

	"modernc.org/libc"
)

// sealSQLiteHeap shapes the pages of the pure-Go libc's malloc (modernc.org/memory), which SQLite
// and its driver allocate from. That allocator carves each size class (powers of two, 16 bytes to
// 256 KiB) out of 1 MiB pages in order, and reuses a freed block, last freed first, only once no
// page is being carved: the blocks a statement takes and frees (its text, its bound values, its
// parse) walked a fresh page from end to end, touching all of it, and the page stayed resident
// while one block in it lived. Under the soak that was a page per class, 16 MB in all for 2.4 MB
// SQLite used, still growing after minutes.
//
// So for every class, after SQLite and libc made their own long-lived blocks (a throwaway
// in-memory connection), the rest of the page the class is carving and every free block are
// taken, never to be freed: the page stays mapped and nothing long-lived lands on the pages a load
// churns through. Then the last blocks taken, sqlitePool bytes of them, are freed again: with no
// page being carved, the class's blocks come from that pool, the same few again and again, and
// only a demand larger than the pool opens (and walks) a page, which is unmapped once its blocks
// are freed. The blocks taken and not freed are never written, so the kernel never backs them
// with memory: they cost address space only. What stays resident is the pool's blocks as far as
// they were used, at most sqlitePool per class, and the pages of what SQLite holds for long (its
// page caches: a page of 4 KiB and its header takes an 8 KiB block). A page of 64 KiB blocks or
// larger holds no more than sqlitePoolBlocks, so all of them are freed again and such a class is
// left as it was: its page is unmapped unless SQLite's own blocks keep it.
var sealSQLiteHeap = sync.OnceFunc(func() {
	if db, err := sql.Open("sqlite", ":memory:"); err == nil {
		_, _ = db.Exec("CREATE TABLE warm (x); SELECT x FROM warm")
		_ = db.Close()
	}
	tls := libc.NewTLS() // never closed, as the blocks it took are never freed
	for size := 16; size <= 256<<10; size *= 2 {
		var taken []uintptr
		for {
			p := libc.Xmalloc(tls, uint64(size))
			if p == 0 { // out of memory: leave the class as it is
				break
			}
			if len(taken) > 0 && p&(sqlitePage-1) == sqlitePageHeader { // opened a page: the others are full
				libc.Xfree(tls, p)
				break
			}
			taken = append(taken, p)
		}
		pool := min(len(taken), max(sqlitePool/size, sqlitePoolBlocks))
		for _, p := range taken[len(taken)-pool:] {
			libc.Xfree(tls, p)
		}
	}
})

const (
	// sqlitePage is the size (and alignment) of the pages of modernc.org/memory on Linux and the
	// other Unixes.
	sqlitePage = 1 << 20
	// sqlitePageHeader is the size of a page's header, before its first block.
	sqlitePageHeader = 32
	// sqlitePool is what each class keeps free for a statement's blocks, and sqlitePoolBlocks the
	// fewest blocks it keeps (large classes): a commit binds up to 80 values (writeSQL.maxArgs),
	// a few connections run statements at once.
	sqlitePool       = 64 << 10
	sqlitePoolBlocks = 16
)
