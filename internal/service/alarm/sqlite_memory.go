package alarm

import (
	"sync"

	"modernc.org/libc"
)

// pinSQLiteMemory keeps one block of every size class of the pure-Go SQLite's allocator
// (modernc.org/memory, through modernc.org/libc's malloc) allocated for good. That allocator
// carves the blocks of a class (powers of two, 16 bytes to 256 KiB) out of 1 MiB pages it maps
// from the kernel, and unmaps a page as soon as its last block is freed: every statement a commit
// parsed and ran mapped, touched (page faults) and unmapped the same pages again, a quarter of a
// group commit's time. With one block held, a class's first page stays mapped: at most 1 MiB of
// memory per class, 15 classes, once touched.
var pinSQLiteMemory = sync.OnceFunc(func() {
	tls := libc.NewTLS() // never closed: what it allocated stays
	for size := 16; size <= 256<<10; size *= 2 {
		libc.Xmalloc(tls, uint64(size))
	}
})
