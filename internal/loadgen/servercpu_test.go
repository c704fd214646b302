package loadgen

import (
	"os"
	"testing"
	"time"
)

// The tool reads a server's CPU time from outside: here its own, which must grow by about the work
// done (a spin of 300 ms of CPU, within the 10 ms ticks the kernel counts in).
func TestReadServerCPU(t *testing.T) {
	before, err := readServerCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	spinUntil := processCPU() + 300*time.Millisecond
	for processCPU() < spinUntil {
	}
	after, err := readServerCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 250*time.Millisecond {
		t.Fatalf("CPU time grew by %v over a 300 ms spin", d)
	}
	if _, err := readServerCPU(1 << 30); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}
