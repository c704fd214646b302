package pulseproc_test

import (
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

func TestMain(m *testing.M) { pulseproc.Main(m) }

// TestKillAndStartAgain: a started server answers /healthz; Kill ends it by SIGKILL; started
// again, it serves on the same port from the same folder.
func TestKillAndStartAgain(t *testing.T) {
	srv := pulseproc.Start(t, &pulseproc.Process{Bin: pulseproc.Build(t, "")})
	healthz(t, srv)
	addr, dir := srv.Addr, srv.Dir

	srv.Kill()
	var exit *exec.ExitError
	if err := srv.Wait(); !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("after Kill: %v, want killed by SIGKILL", err)
	}
	pulseproc.Start(t, srv)
	if srv.Addr != addr || srv.Dir != dir {
		t.Fatalf("started again on %s in %s, want %s in %s", srv.Addr, srv.Dir, addr, dir)
	}
	healthz(t, srv)
}

// TestStartReportsAnExit: a server that refuses to start makes Start fail at once with its
// output, not after the patience.
func TestStartReportsAnExit(t *testing.T) {
	srv := &pulseproc.Process{Bin: pulseproc.Build(t, ""), Dir: t.TempDir(), Extra: "auth:\n  enabled: true\n"}
	err := srv.Start()
	if err == nil || !strings.Contains(err.Error(), "exited before it became healthy") ||
		!strings.Contains(err.Error(), "auth.enabled needs a key source") {
		t.Fatalf("Start: %v, want the exit and the server's reason", err)
	}
}

func healthz(t *testing.T, srv *pulseproc.Process) {
	t.Helper()
	resp, err := http.Get(srv.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
}
