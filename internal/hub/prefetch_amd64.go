package hub

import "unsafe"

// prefetch asks the processor to bring the cache line at p closer, without waiting for it (see
// writer.run).
//
//go:noescape
func prefetch(p unsafe.Pointer)
