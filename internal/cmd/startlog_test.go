package cmd_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/syncbuf"
)

var servingOn = regexp.MustCompile(`serving on ([^\s",]+)`)

// boundAddress waits for the start log's "serving on" line and returns its address.
func boundAddress(t *testing.T, logs *syncbuf.Buffer) string {
	t.Helper()
	var m []string
	poll.Eventually(t, func() bool { m = servingOn.FindStringSubmatch(logs.String()); return m != nil },
		"no \"serving on\" line:\n%s", logs)
	return m[1]
}

// TestStartLog: the start log says which build serves, on the address it actually bound (the
// configured port is 0), with which bus, alarm store and limits; each line once, and none of
// GoFrame's lines that repeat them.
func TestStartLog(t *testing.T) {
	dir := t.TempDir()
	logs := pulseproc.Launch(t, &pulseproc.Process{Bin: serverBinary(t), Dir: dir,
		Config: "server:\n  address: \"127.0.0.1:0\"\nlogger:\n  level: info\n"}).Logs()
	addr := boundAddress(t, logs)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("the logged address %s does not answer: %v", addr, err)
	}
	resp.Body.Close()
	text := logs.String()
	for _, want := range []string{
		"pulse " + testBuild.version + " (commit " + testBuild.commit + ", built " + testBuild.built + ") serving on 127.0.0.1:",
		"bus: memory (this node only)",
		"alarm store: sqlite file " + filepath.Join(dir, "data", "pulse.db"),
		"ws.maxConnections ",
		"connections (open-file limit ", // the connection budget
		"limits: ws.maxMessageSize 4096 bytes, ws.inboundRate 20 frames/s (burst 40), ws.sendQueue 256 messages, ingest.maxBodySize 1048576 bytes",
		"auth is off",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the start log has no %q:\n%s", want, text)
		}
	}
	for _, repeated := range []string{"http server started", "openapi specification", "| ROUTE"} {
		if strings.Contains(text, repeated) {
			t.Errorf("the start log has GoFrame's %q:\n%s", repeated, text)
		}
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		content := line[strings.Index(line, "}")+1:] // after the time, level and trace id
		if seen[content] {
			t.Errorf("logged twice: %q\n%s", content, text)
		}
		seen[content] = true
	}
}

// TestStartLogShowsNoPassword: the bus and the alarm store are named by address, dialect and user,
// never with a password (a link's parameters may hold one too), and auth on says what verifies
// tokens without the secret. The stores are unreachable here: the lines come before the server
// gives up.
func TestStartLogShowsNoPassword(t *testing.T) {
	secrets := []string{"RedisPassw0rd1234", "S3cretPassw0rd", "Other5ecret", "0123456789abcdef0123456789abcdef-secret", "jwks-pw"}
	cfg := `server:
  address: "127.0.0.1:0"
logger:
  level: info
bus:
  type: redis
redis:
  default:
    address: "127.0.0.1:1"
    pass: "RedisPassw0rd1234"
database:
  default:
    link: "mysql:pulse:S3cretPassw0rd@x@tcp(127.0.0.1:1)/pulse?charset=utf8mb4&password=Other5ecret"
auth:
  enabled: true
  jwt:
    hmacSecret: "0123456789abcdef0123456789abcdef-secret"
    jwksUrl: "https://ops:jwks-pw@idp.example/jwks.json"
  ingestKeys:
    - name: meter
      keySha256: "0000000000000000000000000000000000000000000000000000000000000000"
      allow: ["rowdata"]
      businesses: ["*"]
`
	srv := pulseproc.Launch(t, &pulseproc.Process{Bin: serverBinary(t), Config: cfg})
	logs := srv.Logs()
	if err := srv.Wait(); err == nil {
		t.Fatalf("started without its alarm store:\n%s", logs)
	}
	text := logs.String()
	for _, want := range []string{
		`bus: redis 127.0.0.1:1 db 0, channel "pulse"`,
		`alarm store: mysql tcp(127.0.0.1:1)/pulse, user "pulse"`,
		"auth on: tokens verified with hmacSecret, jwksUrl at idp.example; 1 ingest key",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the start log has no %q:\n%s", want, text)
		}
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the log shows %q:\n%s", s, text)
		}
	}
}

// TestJSONLogs: with log.format json every line, GoFrame's and the access log's too, is one JSON
// object with the time, the level and the message.
func TestJSONLogs(t *testing.T) {
	logs := pulseproc.Launch(t, &pulseproc.Process{Bin: serverBinary(t), Config: "server:\n  address: \"127.0.0.1:0\"\nlogger:\n  level: info\nlog:\n  format: json\n  access: true\n"}).Logs()
	addr := boundAddress(t, logs)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	poll.Eventually(t, func() bool { return strings.Contains(logs.String(), "access GET /healthz 200") },
		"no access log line for /healthz:\n%s", logs)
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var entry struct{ Time, Level, Content string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Time == "" || entry.Level == "" || entry.Content == "" {
			t.Errorf("not a JSON log entry (%v): %s", err, line)
		}
	}
}
