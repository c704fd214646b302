//go:build !amd64

package hub

import "unsafe"

// prefetch does nothing where the engine has no prefetch instruction written for the processor.
func prefetch(unsafe.Pointer) {}
