// Command flood measures what a flood of idle TCP connections does to a Pulse server (issue 21,
// item 2): it starts the binary under an open-file limit, opens 1.1 × that many connections that
// send nothing, and polls GET /healthz every 100 ms for 10 s meanwhile. It reports the polls that
// answered 200 and those that did not, the longest run of failures, how many of the flood's
// connections the server closed, and the "too many open files" errors the server logged.
//
//	go build -o /tmp/pulse . && go run ./hack/flood -bin /tmp/pulse -nofile 4096
//
// The server runs in a temporary folder (its own SQLite store) on a free loopback port, with its
// default configuration; it is stopped at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

func main() {
	bin := flag.String("bin", "bin/pulse", "the server binary")
	nofile := flag.Int("nofile", 4096, "the server's open-file limit (ulimit -n)")
	factor := flag.Float64("factor", 1.1, "idle connections opened, as a multiple of -nofile")
	interval := flag.Duration("interval", 100*time.Millisecond, "time between two polls of /healthz")
	duration := flag.Duration("duration", 10*time.Second, "how long the flood is held and /healthz polled")
	flag.Parse()
	if err := run(*bin, *nofile, int(float64(*nofile)**factor), *interval, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

func run(bin string, nofile, flood int, interval, duration time.Duration) error {
	if err := raiseOwnLimit(flood + 256); err != nil {
		return err
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	srv, err := start(bin, nofile)
	if err != nil {
		return err
	}
	defer stop(srv)
	fmt.Printf("server %s, open-file limit %d, on %s; flood of %d idle connections, /healthz every %v for %v\n",
		bin, nofile, srv.Addr, flood, interval, duration)

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	conns := make(chan net.Conn, flood)
	var opened, dialFailed atomic.Int64
	var dialers sync.WaitGroup
	next := atomic.Int64{}
	for range 16 {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for next.Add(1) <= int64(flood) && ctx.Err() == nil {
				c, err := net.DialTimeout("tcp", srv.Addr, time.Second)
				if err != nil {
					dialFailed.Add(1)
					continue
				}
				opened.Add(1)
				conns <- c
			}
		}()
	}

	// Once the flood is open, how many of its connections has the server closed already? (Later,
	// its read timeout, server.readTimeout, closes the rest.)
	counted := make(chan []net.Conn, 1)
	var closedEarly int
	go func() {
		dialers.Wait()
		close(conns)
		var held []net.Conn
		for c := range conns {
			held = append(held, c)
		}
		closedEarly = closedByServer(held)
		counted <- held
	}()
	// One probe per tick, each on its own connection, whether or not the ones before it answered:
	// a server that does not accept makes probes wait, not the ticks.
	var results []chan error
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	tick := time.NewTicker(interval)
	for ctx.Err() == nil {
		r := make(chan error, 1)
		results = append(results, r)
		go func() { r <- healthz(probe, srv.Addr) }()
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	tick.Stop()
	var ok, failed, streak, longest int
	var firstFailure string
	for i, r := range results {
		if err := <-r; err != nil {
			failed++
			streak++
			longest = max(longest, streak)
			if firstFailure == "" {
				firstFailure = fmt.Sprintf("poll %d (%.1fs): %v", i+1, float64(i)*interval.Seconds(), err)
			}
		} else {
			ok++
			streak = 0
		}
	}
	held := <-counted
	for _, c := range held {
		_ = c.Close()
	}

	fmt.Printf("flood: %d connections opened, %d dials failed; once all were open, %d of them had been closed by the server\n",
		opened.Load(), dialFailed.Load(), closedEarly)
	fmt.Printf("/healthz: %d answered 200, %d failed (longest run of failures: %d polls)\n", ok, failed, longest)
	if firstFailure != "" {
		fmt.Printf("first failure at %s\n", firstFailure)
	}
	// After the flood: does the server answer again, and what do its metrics say?
	time.Sleep(time.Second)
	fmt.Printf("/healthz after the flood: %v\n", errText(healthz(probe, srv.Addr)))
	if lines := scrape(probe, srv.Addr, "pulse_tcp_"); lines != "" {
		fmt.Println(lines)
	}
	stop(srv)
	fmt.Printf("server log: %d lines with \"too many open files\"\n", strings.Count(srv.Logs().String(), "too many open files"))
	return nil
}

func healthz(c *http.Client, addr string) error {
	resp, err := c.Get("http://" + addr + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return "200"
	}
	return err.Error()
}

// scrape returns the lines of /metrics that start with prefix.
func scrape(c *http.Client, addr, prefix string) string {
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// closedByServer counts the connections whose read ends at once with EOF or a reset: the server
// closed them.
func closedByServer(conns []net.Conn) int {
	var n atomic.Int64
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			_, err := c.Read(make([]byte, 1))
			var ne net.Error
			if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(n.Load())
}

// raiseOwnLimit raises this process's open-file limit to need, which the flood takes.
func raiseOwnLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= uint64(need) {
		return nil
	}
	lim.Cur = min(max(lim.Cur, uint64(need)), lim.Max)
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	if lim.Cur < uint64(need) {
		return fmt.Errorf("the flood needs %d open files and this process may open only %d: lower -nofile", need, lim.Cur)
	}
	return nil
}

// start runs bin under `ulimit -n nofile` in a temporary folder, with the default configuration
// on a free port, and waits until /healthz answers.
func start(bin string, nofile int) (*pulseproc.Process, error) {
	dir, err := os.MkdirTemp("", "pulse-flood-")
	if err != nil {
		return nil, err
	}
	srv := &pulseproc.Process{Bin: bin, Dir: dir, Nofile: nofile}
	if err := srv.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return srv, nil
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s) and removes its folder.
func stop(srv *pulseproc.Process) {
	srv.Stop(10 * time.Second)
	_ = os.RemoveAll(srv.Dir)
}
