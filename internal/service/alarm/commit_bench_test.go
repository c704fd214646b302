package alarm

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// BenchmarkCommit commits groups of alarms straight to a SQLite store in a temporary folder (as
// the committer does, without HTTP and without the wait for a group to form), and reports the
// time per alarm. "new" raises alarms never seen (rows inserted), "repeat" raises alarms stored
// already (rows updated, the common case of a noisy device).
//
//	go test -run xxx -bench Commit -count 10 ./internal/service/alarm/ | benchstat -
//
// BENCH_LINK_EXTRA is appended to the SQLite link, to measure a setting: "&cache_size=-65536".
func BenchmarkCommit(b *testing.B) {
	for _, kind := range []string{"new", "repeat"} {
		for _, group := range []int{1, 64, 1000} {
			b.Run(fmt.Sprintf("%s/group=%d", kind, group), func(b *testing.B) {
				benchCommit(b, kind == "repeat", group)
			})
		}
	}
}

func benchCommit(b *testing.B, repeat bool, group int) {
	bb := bus.NewMemory()
	s, err := New(context.Background(), bb, Options{DB: gdb.ConfigNode{
		Link: "sqlite::@file(" + b.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL" + os.Getenv("BENCH_LINK_EXTRA")}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	const pool = 10000 // alarms a repeat run draws from, all raised before the timer starts
	if repeat {
		for i := 0; i < pool; i += 1000 {
			commitGroup(b, s, "r-", func(j int) int { return i + j }, 1000)
		}
	}
	cpu := processCPU()
	b.ResetTimer()
	prefix, num := "n-", func(next int) int { return next }
	if repeat {
		prefix, num = "r-", func(next int) int { return (next * 7919) % pool } // spread over the pool
	}
	commitGroups(b, s, group, prefix, num)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*group), "ns/alarm")
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N*group), "cpu-ns/alarm")
}

// commitGroups is the measured loop: b.N groups of group alarms, the n-th alarm numbered num(n). It is
// a function of its own so that an instruction count can be limited to it:
//
//	valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*alarm.commitGroups' \
//	  ./alarm.test -test.run xxx -test.bench Commit/repeat/group=64 -test.benchtime 20x
func commitGroups(b *testing.B, s *Service, group int, prefix string, num func(n int) int) {
	next := 0
	for b.Loop() {
		commitGroup(b, s, prefix, func(int) int { next++; return num(next) }, group)
	}
}

// commitGroup commits one group of n raises, the i-th of alarm prefix+num(i), as the committer
// does. An alarm's business follows from its number, so that a repeat names the same alarm.
func commitGroup(b *testing.B, s *Service, prefix string, num func(i int) int, n int) {
	ops := make([]*op, n)
	for i := range ops {
		k := num(i)
		id := prefix + strconv.Itoa(k)
		ops[i] = &op{kind: opRaise, raise: model.AlarmBusinessData{AlarmId: id, BusinessType: "bench",
			BusinessId: "k" + strconv.Itoa(k%100), Level: model.LevelMajor, Title: "bench alarm",
			Content: "raised by BenchmarkCommit", Time: 1, Data: []byte(`{"seq":1,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`)}}
		ops[i].key = ops[i].raise.Key()
	}
	if _, err := s.store.commit(context.Background(), ops, 1); err != nil {
		b.Fatal(err)
	}
}

// processCPU is the user and system time this process has used: what a commit costs the machine,
// whatever time it spent waiting for the disk.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCommitNotify is BenchmarkCommit's new/group=64 with notifications off and on,
// alternating five times each: "on" plans each alarm into one outbox row of a route to a webhook
// in the commit (no dispatcher runs, nothing is sent), so the difference is what the outbox adds to
// an alarm's commit.
//
//	go test -run xxx -bench CommitNotify ./internal/service/alarm/ | grep cpu-ns
func BenchmarkCommitNotify(b *testing.B) {
	hook, err := notify.NewOutlet(notify.OutletConfig{Name: "hook", Type: "webhook", URL: "http://127.0.0.1:9/hook",
		Secrets: []string{"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}})
	if err != nil {
		b.Fatal(err)
	}
	cfg := notify.Config{Routes: []notify.Route{{Name: "all", To: []string{"hook"}}}}
	router := notify.NewRouter(cfg, map[string]notify.Outlet{"hook": hook}, nil)
	// The commits here bypass the committer, which would let the write connection go under them
	// after idleRelease without a request (a run on a busy machine takes that long).
	defer func(d time.Duration) { idleRelease = d }(idleRelease)
	idleRelease = time.Hour
	for i := range 10 {
		on := i%2 == 1
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			opts := Options{DB: gdb.ConfigNode{Link: "sqlite::@file(" + b.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"}}
			if on {
				opts.Notify = router
			}
			s, err := New(context.Background(), bus.NewMemory(), opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			cpu := processCPU()
			b.ResetTimer()
			commitGroups(b, s, 64, "n-", func(next int) int { return next })
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N*64), "cpu-ns/alarm")
		})
	}
}
