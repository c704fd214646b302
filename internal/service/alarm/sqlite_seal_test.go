package alarm

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestIdleSQLiteGivesItsPagesBack: after 20,000 alarms, once the store is idle (the committer's
// release), what the SQLite allocator keeps resident is small: the long-lived blocks of libc and
// SQLite do not hold the pages the commits churned through. The allocator is the process's, so
// the work runs in a process of its own (this test binary again) that no other test shares.
func TestIdleSQLiteGivesItsPagesBack(t *testing.T) {
	if os.Getenv("PULSE_SEAL_CHILD") == "1" {
		idleRelease = time.Hour
		s := open(t, sqliteNode(t), newRecorder())
		for i := 0; i < 20000; i += 500 {
			raiseN(t, s, i, 500)
		}
		s.store.releaseMemory()
		fmt.Printf("resident %d KiB\n", sqlitePagesResident(t))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleSQLiteGivesItsPagesBack$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PULSE_SEAL_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child: %v\n%s", err, out)
	}
	_, after, ok := strings.Cut(string(out), "resident ")
	kib, err := strconv.Atoi(strings.Fields(after + " x")[0])
	if !ok || err != nil {
		t.Fatalf("the child said %q", out)
	}
	if kib > 1024 {
		t.Fatalf("the SQLite allocator keeps %d KiB resident once idle, want at most 1 MiB (unsealed: 2 to 6 MiB)", kib)
	}
}

// sqlitePagesResident is the resident KiB of the SQLite allocator's shared pages in this process:
// the anonymous mappings of at most a page, aligned to one, whose first bytes read as such a
// page's header (other runtimes, the race detector's among them, map such regions too).
func sqlitePagesResident(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	mem, err := os.Open("/proc/self/mem")
	if err != nil {
		t.Skipf("no /proc/self/mem: %v", err)
	}
	defer mem.Close()
	total, counting := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			counting = err1 == nil && err2 == nil && len(fields) == 5 && fields[4] == "0" && strings.HasPrefix(fields[1], "rw") &&
				l%sqlitePage == 0 && h-l <= sqlitePage+4096 && isSharedPage(mem, l)
			continue
		}
		if counting && len(fields) == 3 && fields[0] == "Rss:" {
			n, _ := strconv.Atoi(fields[1])
			total += n
		}
	}
	return total
}

// isSharedPage says whether the memory at addr starts with the header of one of
// modernc.org/memory's shared pages: brk, log, size and used, as 8-byte words.
func isSharedPage(mem *os.File, addr uint64) bool {
	var b [32]byte
	if _, err := mem.ReadAt(b[:], int64(addr)); err != nil {
		return false
	}
	word := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
	brk, log, size, used := word(0), word(1), word(2), word(3)
	if log < 4 || log > 18 {
		return false
	}
	slots := uint64(sqlitePage-32) >> log
	return size == 32+slots<<log && used <= brk && brk <= slots
}
