package alarm

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSQLiteMemoryStaysNearWhatItUses: while 20,000 alarms are committed and 10,000 statements
// run, libc's allocator holds little more than SQLite uses (its cache pages take 8 KiB blocks, so
// up to about twice that), not whole pages walked by the statements' churn; once the store is idle
// (the committer's release) it holds what a fresh store does. The allocator is the process's, so
// the work runs in a process of its own (this test binary again) that no other test shares.
func TestSQLiteMemoryStaysNearWhatItUses(t *testing.T) {
	if os.Getenv("PULSE_SQLITE_CHILD") == "1" {
		idleRelease = time.Hour
		s := open(t, sqliteNode(t), newRecorder())
		raiseN(t, s, 0, 1)
		fresh := sqlitePagesResident(t)
		for i := 1; i < 20000; i += 500 {
			raiseN(t, s, i, 500)
		}
		// Statements by the thousand, as the pollers and the console's reads make them: each
		// one's text and bound values are the driver's blocks, while others run.
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 2500 {
					v := strings.Repeat("v", (g*2500+i)%2000)
					if _, err := s.store.db.Query(context.Background(), "SELECT ?, ?, length(?)", i, v, v+"w"); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		loaded, used := sqlitePagesResident(t), sqliteUsed(t, s)
		// Idle: the release closes the connections the pool holds idle; one a background reader
		// (retention, on a busy machine) still has is closed by the next release.
		s.store.releaseMemory()
		idle := sqlitePagesResident(t)
		for deadline := time.Now().Add(5 * time.Second); idle > fresh+256 && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			s.store.releaseMemory()
			idle = sqlitePagesResident(t)
		}
		fmt.Printf("fresh %d loaded %d idle %d used %d\n", fresh, loaded, idle, used>>10)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteMemoryStaysNearWhatItUses$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PULSE_SQLITE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child: %v\n%s", err, out)
	}
	var fresh, loaded, idle, used int
	i := strings.Index(string(out), "fresh ")
	if i < 0 {
		t.Fatalf("the child said %q", out)
	}
	if _, err := fmt.Sscanf(string(out[i:]), "fresh %d loaded %d idle %d used %d", &fresh, &loaded, &idle, &used); err != nil {
		t.Fatalf("the child said %q: %v", out, err)
	}
	t.Logf("libc's allocator: %d KiB resident on a fresh store, %d KiB with SQLite using %d KiB, %d KiB idle", fresh, loaded, used, idle)
	if limit := fresh + used*9/4; loaded > limit {
		t.Errorf("libc's allocator holds %d KiB under load for the %d KiB SQLite uses (fresh: %d KiB), want at most %d KiB",
			loaded, used, fresh, limit)
	}
	if idle > fresh+256 {
		t.Errorf("libc's allocator keeps %d KiB resident once idle, %d KiB on a fresh store: want at most 256 KiB more", idle, fresh)
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
	slots := uint64(sqlitePage-sqlitePageHeader) >> log
	mapped := (sqlitePageHeader + slots<<log + 4095) &^ 4095 // the mapping, in whole OS pages
	return size == mapped && used <= brk && brk <= slots
}
