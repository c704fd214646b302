//go:build unix

package config

import (
	"math"
	"syscall"
)

// openFileLimit is the process's soft limit on open descriptors, which Go raised to the hard limit
// at start-up. It reports false when there is no usable limit to read.
func openFileLimit() (int, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, false
	}
	limit := uint64(r.Cur) // int64 on some BSDs
	if limit == 0 || limit >= math.MaxInt32 {
		return 0, false // RLIM_INFINITY or nonsense: no limit to keep below
	}
	return int(limit), true
}
