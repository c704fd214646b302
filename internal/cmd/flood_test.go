package cmd_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestIdleFloodKeepsHealthz is issue 21's scenario on the real binary: under an open-file limit of
// 512, a client opens 1.1 × 512 TCP connections that send nothing, and /healthz, asked between
// them, answers 200 every time; the server never runs out of descriptors ("too many open files"
// is not in its log) and serves normally once the flood is gone. The read timeout is long, so
// that no idle connection leaves by itself while the flood lasts.
func TestIdleFloodKeepsHealthz(t *testing.T) {
	const nofile = 512
	addr := pulseproc.FreeAddr(t)
	srv := pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Addr: addr, Nofile: nofile,
		Config: fmt.Sprintf("server:\n  address: %q\n  readTimeout: 600s\nlogger:\n  level: warning\n", addr)})
	logs := srv.Logs()

	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: patience}
	defer probe.CloseIdleConnections()
	healthz := func() error {
		resp, err := probe.Get("http://" + addr + "/healthz")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	}

	flood := nofile * 11 / 10
	conns := make([]net.Conn, 0, flood)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range flood {
		c, err := net.DialTimeout("tcp", addr, patience)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%32 == 31 || i == flood-1 {
			if err := healthz(); err != nil {
				t.Fatalf("/healthz after %d idle connections: %v\n%s", i+1, err, logs.String())
			}
		}
	}
	for range 5 {
		if err := healthz(); err != nil {
			t.Fatalf("/healthz with the flood held: %v\n%s", err, logs.String())
		}
	}
	if strings.Contains(logs.String(), "too many open files") {
		t.Fatalf("the server ran out of descriptors:\n%s", logs.String())
	}
	for _, c := range conns {
		_ = c.Close()
	}
	conns = nil
	if err := healthz(); err != nil {
		t.Fatalf("/healthz after the flood: %v", err)
	}
}
