package loadgen

import (
	"syscall"
	"time"
)

// cpuClock measures how busy the tool itself was: if it used most of a core while measuring, the
// figure it reports may be its own limit rather than the server's.
type cpuClock struct {
	wall time.Time
	cpu  time.Duration
}

func startCPUClock() cpuClock { return cpuClock{wall: time.Now(), cpu: processCPU()} }

// load is the CPU the process used since start, in cores (1 = one core fully busy).
func (c cpuClock) load() float64 {
	wall := time.Since(c.wall)
	if wall <= 0 {
		return 0
	}
	return float64(processCPU()-c.cpu) / float64(wall)
}

// processCPU is the user and system time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
