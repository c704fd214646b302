package client_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// The client's tests run it against the real server: the pulse binary, built once for the
// package (or the binary PULSE_BIN names, when set), run as a child process with a store of
// its own, which a test may kill and start again.

var (
	binDir    string
	buildOnce sync.Once
	built     string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pulse-client-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// serverBinary is the pulse binary the tests run.
func serverBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("PULSE_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		bin := filepath.Join(binDir, "pulse")
		if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		built = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// server is a pulse process on addr whose SQLite store is in dir.
type server struct {
	t      *testing.T
	bin    string
	dir    string
	addr   string
	config string // appended to the config.yaml

	mu   sync.Mutex
	cmd  *exec.Cmd
	logs *output
}

// startServer starts a server on a free port with extra appended to its config.yaml; it is
// killed when the test ends.
func startServer(t *testing.T, extra string) *server {
	t.Helper()
	s := &server{t: t, bin: serverBinary(t), dir: t.TempDir(), addr: freeAddr(t), config: extra}
	cfg := fmt.Sprintf("server:\n  address: %q\n  dumpRouterMap: false\nlogger:\n  level: warning\n", s.addr) + extra
	if err := os.WriteFile(filepath.Join(s.dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *server) url() string { return "http://" + s.addr }

// start runs the process on the same store and port and waits until it is healthy.
func (s *server) start() error {
	cmd := exec.Command(s.bin)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "GF_GCFG_PATH="+s.dir)
	logs := new(output)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return err
	}
	s.mu.Lock()
	s.cmd, s.logs = cmd, logs
	s.mu.Unlock()
	if !poll.Until(func() bool {
		resp, err := http.Get(s.url() + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		return fmt.Errorf("the server did not become healthy:\n%s", logs.String())
	}
	return nil
}

// kill ends the process with SIGKILL, as a crash would, and waits for it to be gone.
func (s *server) kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// listedAlarm is an alarm of the list API, with what the tests check.
type listedAlarm struct {
	AlarmId      string `json:"alarmId"`
	BusinessType string `json:"businessType"`
	BusinessId   string `json:"businessId"`
	Level        string `json:"level"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	Count        int64  `json:"count"`
}

// alarms is every alarm the server's list API gives (GET /api/v1/alarms, page after page).
func (s *server) alarms(t *testing.T) []listedAlarm {
	t.Helper()
	var all []listedAlarm
	cursor := ""
	for {
		q := url.Values{"limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []listedAlarm `json:"items"`
			NextCursor string        `json:"nextCursor"`
		}
		s.get(t, "/api/v1/alarms?"+q.Encode(), &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// rowItem is a row-data item as the history gives it.
type rowItem struct {
	Data struct {
		BusinessType string          `json:"businessType"`
		BusinessId   string          `json:"businessId"`
		Data         json.RawMessage `json:"data"`
	} `json:"data"`
}

// history is the row data the server keeps of (typ, id) (GET /api/v1/rowdata/history).
func (s *server) history(t *testing.T, typ, id string) []rowItem {
	t.Helper()
	var h struct {
		Series []struct {
			Items []rowItem `json:"items"`
		} `json:"series"`
	}
	s.get(t, "/api/v1/rowdata/history?"+url.Values{"businessType": {typ}, "businessId": {id}}.Encode(), &h)
	var items []rowItem
	for _, series := range h.Series {
		items = append(items, series.Items...)
	}
	return items
}

// get decodes the data of a 200 answer to path into out.
func (s *server) get(t *testing.T, path string, out any) {
	t.Helper()
	resp, err := http.Get(s.url() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Code int             `json:"code"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || resp.StatusCode != http.StatusOK || env.Code != 0 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, raw)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
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
