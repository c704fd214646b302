package cmd_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

func TestMain(m *testing.M) { pulseproc.Main(m) }

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
	cfg := fmt.Sprintf("server:\n  address: %q\nlogger:\n  level: info\n", pulseproc.FreeAddr(t))
	srv := pulseproc.Launch(t, &pulseproc.Process{Bin: serverBinary(t), Config: cfg})
	logs := srv.Logs()
	poll.Eventually(t, func() bool { return strings.Contains(logs.String(), "ws.maxConnections") },
		"the server logged no configuration:\n%s", logs)
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.Exited():
		if err := srv.Wait(); err != nil {
			t.Fatalf("exit after a SIGTERM during start: %v, want 0\n%s", err, logs)
		}
	case <-time.After(patience):
		t.Fatalf("still running %v after SIGTERM during start\n%s", patience, logs)
	}
}

// serverBinary is pulse built as `make build` builds it (stamped with testBuild), once for all the
// package's tests.
func serverBinary(t *testing.T) string {
	t.Helper()
	return pulseproc.Build(t, testLDFlags)
}

func runAndSignal(t *testing.T, bin string, sig syscall.Signal) {
	srv := pulseproc.Start(t, &pulseproc.Process{Bin: bin})
	addr, base, logs := srv.Addr, srv.URL(), srv.Logs()
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
	if err := srv.Signal(sig); err != nil {
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
	select {
	case <-srv.Exited():
		if err := srv.Wait(); err != nil {
			t.Fatalf("exit: %v\n%s", err, logs)
		}
	case <-time.After(patience):
		t.Fatalf("still running %v after %s\n%s", patience, sig, logs.String())
	}
	t.Logf("%s to exit: %v", sig, time.Since(start))
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting after exit")
	}
}
