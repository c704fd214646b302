package loadgen

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is the unit of /proc/<pid>/stat's CPU times: USER_HZ, 100 on every Linux the tool
// runs on (the kernel fixes it for user space whatever its own tick rate).
const clockTicks = 100

// readServerCPU is the user and system time process pid has used, from /proc/<pid>/stat (Linux):
// what a publish cost the server, read from outside it.
func readServerCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("--pid %d: reading the server's CPU time: %w", pid, err)
	}
	// The command name, in parentheses, may hold spaces: the fields are counted after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("--pid %d: /proc/%d/stat is not what Linux writes", pid, pid)
	}
	f := bytes.Fields(b[i+1:])
	// After the name come state (field 3) … utime (14) and stime (15).
	if len(f) < 13 {
		return 0, fmt.Errorf("--pid %d: /proc/%d/stat is too short", pid, pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("--pid %d: /proc/%d/stat: %w", pid, pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
