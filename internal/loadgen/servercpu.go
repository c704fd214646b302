package loadgen

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: Linux reports them in USER_HZ ticks,
// 100 per second on every architecture it exposes to user space.
const userHZ = 100

// ServerCPU is the user and system time process pid (all its threads) has used so far, read from
// /proc/<pid>/stat (Linux), with the ticks' resolution of 10 ms.
func ServerCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("--pid %d: reading the server's CPU time: %w", pid, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("--pid %d: /proc/%d/stat is not what Linux writes", pid, pid)
	}
	fields := bytes.Fields(raw[i+1:])
	// After the name: state (3), ..., utime (14), stime (15).
	if len(fields) < 13 {
		return 0, fmt.Errorf("--pid %d: /proc/%d/stat is too short", pid, pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("--pid %d: /proc/%d/stat: %w", pid, pid, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
