package cmd_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// binDir holds the server binary, built once for the package's tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pulse-cmd-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// patience bounds every wait for something that is due (a start, a message, an exit); see
// poll.Patience.
const patience = poll.Patience

// TestSignalShutdown runs the real server and sends it SIGTERM (and SIGINT): every WebSocket
// receives what was queued and close 1001, and the process exits 0 by itself.
func TestSignalShutdown(t *testing.T) {
	bin := serverBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { runAndSignal(t, bin, sig) })
	}
}

// TestSignalDuringStart: a SIGTERM that arrives while the server is still starting (here: once it
// has logged its configuration, before it listens) stops it cleanly, exit 0, instead of killing it
// by the signal's default action: GoFrame installs its own handler only after the server started.
func TestSignalDuringStart(t *testing.T) {
	cfg := fmt.Sprintf("server:\n  address: %q\nlogger:\n  level: info\n", freeAddr(t))
	cmd, logs := runLogging(t, serverBinary(t), t.TempDir(), cfg)
	poll.Eventually(t, func() bool { return strings.Contains(logs.String(), "ws.maxConnections") },
		"the server logged no configuration:\n%s", logs)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after a SIGTERM during start: %v, want 0\n%s", err, logs.String())
		}
	case <-time.After(patience):
		t.Fatalf("still running %v after SIGTERM during start\n%s", patience, logs.String())
	}
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// serverBinary builds pulse, as `make build` does (stamped with testBuild), once for all the package's tests: a link of
// the whole server takes longer than the tests themselves on a busy machine.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		bin := filepath.Join(binDir, "pulse")
		if out, err := exec.Command("go", "build", "-ldflags", testLDFlags, "-o", bin, "../..").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
			return
		}
		built = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// startServer runs bin in dir (its data/ folder holds the SQLite alarm store) on addr and waits
// until it is healthy. extra is appended to its config.yaml. The process is killed when the test
// ends. logs collects its output.
func startServer(t *testing.T, bin, dir, addr string, extra ...string) (cmd *exec.Cmd, logs *output) {
	t.Helper()
	return startServerEnv(t, bin, dir, addr, nil, extra...)
}

// startServerEnv is startServer with env (NAME=value) added to the process's environment.
func startServerEnv(t *testing.T, bin, dir, addr string, env []string, extra ...string) (cmd *exec.Cmd, logs *output) {
	t.Helper()
	cfg := fmt.Sprintf("server:\n  address: %q\nlogger:\n  level: warning\n", addr) + strings.Join(extra, "")
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GF_GCFG_PATH="+dir), env...)
	logs = new(output)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	if !poll.Until(func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}) {
		t.Fatalf("server did not become healthy:\n%s", logs.String())
	}
	return cmd, logs
}

func runAndSignal(t *testing.T, bin string, sig syscall.Signal) {
	addr := freeAddr(t)
	cmd, logs := startServer(t, bin, t.TempDir(), addr)
	base := "http://" + addr
	var clients []*websocket.Conn
	for _, path := range []string{"/ws/alarm", "/ws/rowdata/meter/m-1/u", "/ws/rowdata/meter/*/u"} {
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		clients = append(clients, ws)
	}
	resp, err := http.Post(base+"/api/v1/rowdata", "application/json",
		strings.NewReader(`{"businessType":"meter","businessId":"m-1","data":1}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("publish: %v", err)
	}
	resp.Body.Close()

	start := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	for i, ws := range clients {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		for {
			_, data, err := ws.ReadMessage()
			if err == nil {
				if i > 0 && !strings.Contains(string(data), `"rowdata"`) {
					t.Fatalf("client %d: unexpected %s", i, data)
				}
				continue
			}
			if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
				t.Fatalf("client %d: %v, want close 1001\n%s", i, err, logs.String())
			}
			break
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs.String())
		}
	case <-time.After(patience):
		t.Fatalf("still running %v after %s\n%s", patience, sig, logs.String())
	}
	t.Logf("%s to exit: %v", sig, time.Since(start))
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting after exit")
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// output collects a process's output; the test reads it while exec's goroutine writes it.
type output struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
