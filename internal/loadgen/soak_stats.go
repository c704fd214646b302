package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// sample reads the server's memory and the counters, elapsed since begin. The RSS and descriptors
// come from /proc (with PID), the Go heap in use and goroutines from the server's /metrics (the
// runtime's own figures); what cannot be read is -1. Only a PID that cannot be read is an error
// (the sample is still filled in): a server that stopped answering is what the counters show.
func (s *soak) sample(ctx context.Context, begin time.Time) (SoakSample, error) {
	sm := SoakSample{Mode: "soak-sample", ElapsedS: time.Since(begin).Seconds(), RSSKB: -1, FDs: -1, HeapInuse: -1, Goroutines: -1}
	var err error
	if s.cfg.PID > 0 {
		if sm.RSSKB, err = readRSS(s.cfg.PID); err != nil {
			sm.RSSKB = -1
		}
		if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.cfg.PID)); err == nil {
			sm.FDs = int64(len(fds))
		}
	}
	if m, err := s.scrape(ctx, "go_memstats_heap_inuse_bytes", "go_goroutines"); err == nil {
		sm.HeapInuse, sm.Goroutines = m[0], m[1]
	}
	sm.SoakCounts = s.counts()
	return sm, err
}

// scrape reads the values of the named gauges (no labels) from the first server's /metrics.
func (s *soak) scrape(ctx context.Context, names ...string) ([]int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.cfg.Addrs[0]+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	vals := make([]int64, len(names))
	for i := range vals {
		vals[i] = -1
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for i, n := range names {
			if v, ok := strings.CutPrefix(line, n+" "); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					vals[i] = int64(f)
				}
			}
		}
	}
	return vals, sc.Err()
}
