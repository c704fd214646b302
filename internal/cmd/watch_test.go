package cmd_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/syncbuf"
)

// watcher is a running `pulse watch`: the JSON lines of its stdout and its stderr as they come.
type watcher struct {
	cmd    *exec.Cmd
	stderr *syncbuf.Buffer
	mu     sync.Mutex
	lines  []string
	done   chan error
}

// runWatch starts `pulse watch args...` in dir; it is killed when the test ends.
func runWatch(t *testing.T, dir string, args ...string) *watcher {
	t.Helper()
	cmd := exec.Command(serverBinary(t), append([]string{"watch"}, args...)...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GF_GCFG_PATH="+dir, "PULSE_TOKEN=")
	w := &watcher{cmd: cmd, stderr: new(syncbuf.Buffer), done: make(chan error, 1)}
	cmd.Stderr = w.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stdout)
		w.done <- cmd.Wait()
	}()
	return w
}

// objects are the lines printed so far, each checked to be one JSON object.
func (w *watcher) objects(t *testing.T) []map[string]any {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]map[string]any, len(w.lines))
	for i, l := range w.lines {
		if err := json.Unmarshal([]byte(l), &out[i]); err != nil {
			t.Fatalf("line %d is not one JSON object: %v\n%s", i, err, l)
		}
	}
	return out
}

// waitFor waits until a printed object satisfies ok and returns it.
func (w *watcher) waitFor(t *testing.T, what string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	var found map[string]any
	poll.Eventually(t, func() bool {
		for _, o := range w.objects(t) {
			if ok(o) {
				found = o
				return true
			}
		}
		return false
	}, "pulse watch printed no %s; stderr:\n%s", what, w.stderr)
	return found
}

// exit waits for the process to end and returns its error (nil: exit 0).
func (w *watcher) exit(t *testing.T) error {
	t.Helper()
	select {
	case err := <-w.done:
		return err
	case <-time.After(patience):
		t.Fatalf("pulse watch still running after %v; stderr:\n%s", patience, w.stderr)
		return nil
	}
}

func post(t *testing.T, addr, path, body string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
}

func item(o map[string]any) map[string]any { m, _ := o["data"].(map[string]any); return m }

// TestWatch: `pulse watch rowdata` prints the row data published to its business, one object per
// line even when the server batches them in one frame; `pulse watch alarms --since 0` replays the
// alarm posted before it started, then synced, then live alarms, connecting to the configuration's
// server.address when no --addr is given; Ctrl-C ends it with exit 0.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	addr := pulseproc.FreeAddr(t)
	pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Dir: dir, Addr: addr})
	post(t, addr, "/api/v1/alarm", `{"alarmId":"before","businessType":"meter","businessId":"m-1","title":"before the console"}`)

	rows := runWatch(t, t.TempDir(), "rowdata", "meter/m-1", "--addr", addr)
	poll.Eventually(t, func() bool { return strings.Contains(rows.stderr.String(), "connected to") },
		"pulse watch rowdata did not connect:\n%s", rows.stderr)
	post(t, addr, "/api/v1/rowdata", `{"items":[{"businessType":"meter","businessId":"m-1","data":{"v":1}},`+
		`{"businessType":"meter","businessId":"m-2","data":{"v":2}},{"businessType":"meter","businessId":"m-1","data":{"v":3}}]}`)
	rows.waitFor(t, "second item", func(o map[string]any) bool {
		return o["type"] == "rowdata" && item(o)["data"].(map[string]any)["v"] == 3.0
	})
	got := rows.objects(t)
	if len(got) != 2 || item(got[0])["businessId"] != "m-1" || item(got[0])["data"].(map[string]any)["v"] != 1.0 {
		t.Fatalf("printed %v, want the two items of meter/m-1", got)
	}

	alarms := runWatch(t, dir, "alarms", "--since", "0") // the address: server.address of dir's config.yaml
	alarms.waitFor(t, "synced", func(o map[string]any) bool { return o["type"] == "synced" })
	post(t, addr, "/api/v1/alarm", `{"alarmId":"live","businessType":"meter","businessId":"m-1","title":"live"}`)
	alarms.waitFor(t, "live alarm", func(o map[string]any) bool { return o["type"] == "alarm" && item(o)["alarmId"] == "live" })
	var kinds []string
	for _, o := range alarms.objects(t) {
		id, _ := item(o)["alarmId"].(string)
		kinds = append(kinds, o["type"].(string)+":"+id)
	}
	if strings.Join(kinds, " ") != "alarm:before synced: alarm:live" {
		t.Fatalf("printed %v, want the replayed alarm, synced, the live alarm", kinds)
	}

	for _, w := range []*watcher{rows, alarms} {
		if err := w.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if err := w.exit(t); err != nil {
			t.Fatalf("exit after Ctrl-C: %v, want 0; stderr:\n%s", err, w.stderr)
		}
	}
}

// TestWatchRefused: a token the server does not accept ends `pulse watch` at once with a non-zero
// exit and the server's status, code and message on stderr; a good one (from `pulse token`, whose
// sub becomes the path's user) is accepted; a server that closes the connection ends it with the
// close code and reason.
func TestWatchRefused(t *testing.T) {
	const secret = "watch-test-secret-0123456789abcdef0123"
	dir := t.TempDir()
	addr := pulseproc.FreeAddr(t)
	srv := pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Dir: dir, Addr: addr, Extra: "auth:\n  enabled: true\n  jwt:\n    hmacSecret: \"" + secret + "\"\n"})

	for _, args := range [][]string{
		{"alarms", "--addr", addr, "--token", "not-a-token"}, // invalid credentials
		{"rowdata", "meter/m-1", "--addr", addr},             // no token: --token says how
	} {
		w := runWatch(t, dir, args...)
		err := w.exit(t)
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
			t.Fatalf("%v: exit %v, want non-zero", args, err)
		}
		want := "refused: HTTP 401, code 61: invalid credentials"
		if args[0] == "rowdata" {
			want = "refused: HTTP 401, code 61: no token: send Authorization: Bearer <jwt>, or ?access_token=<jwt> from a browser (pulse watch: --token or $PULSE_TOKEN)"
		}
		if !strings.Contains(w.stderr.String(), want) || len(w.objects(t)) != 0 {
			t.Fatalf("%v: stderr %q, stdout %v", args, w.stderr, w.objects(t))
		}
	}

	tok := exec.Command(serverBinary(t), "token", "--sub", "alice", "--rowdata", "meter/*")
	tok.Dir, tok.Env = dir, append(os.Environ(), "GF_GCFG_PATH="+dir)
	out, err := tok.Output()
	if err != nil {
		t.Fatal(err)
	}
	w := runWatch(t, t.TempDir(), "rowdata", "meter/*", "--addr", addr, "--token", strings.TrimSpace(string(out)))
	poll.Eventually(t, func() bool { return strings.Contains(w.stderr.String(), "/ws/rowdata/meter/%2A/alice") },
		"pulse watch with a good token did not connect as alice:\n%s", w.stderr)

	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = w.exit(t)
	if err == nil || !strings.Contains(w.stderr.String(), "the server closed the connection: 1001 server shutting down") {
		t.Fatalf("exit %v after the server shut down, stderr:\n%s", err, w.stderr)
	}
}

// TestHelp: `pulse help` and `pulse --help` say that no command serves and list watch; `pulse
// help watch alarms` describes --since; an unknown command is an error.
func TestHelp(t *testing.T) {
	run := func(args ...string) (string, error) {
		out, err := exec.Command(serverBinary(t), args...).CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{{"help"}, {"--help"}} {
		out, err := run(args...)
		if err != nil || !strings.Contains(out, "no command: run the server") || !strings.Contains(out, "watch") {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if out, err := run("help", "watch", "alarms"); err != nil || !strings.Contains(out, "--since") {
		t.Fatalf("help watch alarms: %v\n%s", err, out)
	}
	if out, err := run("help", "nope"); err == nil || !strings.Contains(out, `pulse has no command "nope"`) {
		t.Fatalf("help nope: %v\n%s", err, out)
	}
}
