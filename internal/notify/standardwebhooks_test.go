package notify_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// nodeReceiver is internal/notify/testdata/node/receiver.mjs running: a webhook receiver that
// verifies with the npm package standardwebhooks. Its packages are installed by make test
// (hack/npm-ci.sh internal/notify/testdata/node).
type nodeReceiver struct {
	url   string
	mu    sync.Mutex
	lines []nodeLine
}

type nodeLine struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Verified []int  `json:"verified"`
	Error    string `json:"error"`
}

func startNodeReceiver(t *testing.T, secrets ...string) *nodeReceiver {
	t.Helper()
	dir, err := filepath.Abs("testdata/node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		testsvc.Missing(t, "Node.js", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "standardwebhooks")); err != nil {
		testsvc.Missing(t, "the npm package standardwebhooks (hack/npm-ci.sh internal/notify/testdata/node)", err)
	}
	cmd := exec.Command("node", "receiver.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECRETS="+strings.Join(secrets, ","))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	r := &nodeReceiver{}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "listening ") {
		t.Fatalf("the node receiver did not start: %q", sc.Text())
	}
	r.url = "http://127.0.0.1:" + strings.TrimPrefix(sc.Text(), "listening ") + "/hook/secret-path"
	go func() {
		for sc.Scan() {
			var l nodeLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				r.mu.Lock()
				r.lines = append(r.lines, l)
				r.mu.Unlock()
			}
		}
	}()
	return r
}

func (r *nodeReceiver) Lines() []nodeLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]nodeLine(nil), r.lines...)
}

// TestWebhookSignaturesVerifyWithStandardWebhooks: Pulse's webhook-id, webhook-timestamp and
// webhook-signature verify with the npm package standardwebhooks, for the current secret and for
// the old one of a rotation (a receiver still on the old secret keeps verifying).
func TestWebhookSignaturesVerifyWithStandardWebhooks(t *testing.T) {
	recv := startNodeReceiver(t, pulsenode.HookSecret, pulsenode.HookSecretOld)
	n := pulsenode.StartWith(t, func(c *config.Config) {
		c.Notify = notify.DefaultConfig()
		c.Notify.Outlets = []notify.OutletConfig{{Name: "node", Type: "webhook", URL: recv.url, Secrets: []string{pulsenode.HookSecret, pulsenode.HookSecretOld}}}
		c.Notify.Routes = []notify.Route{{Name: "all", To: []string{"node"}, Resolved: true}}
	}, pulsenode.FastNotify)
	n.Raise(`{"items":[{"alarmId":"sig-1","businessType":"meter","businessId":"m-1","level":"major","title":"Über-voltage ⚡","content":"262 V"}]}`)
	poll.Eventually(t, func() bool { return len(recv.Lines()) >= 1 }, "the node receiver got nothing")
	n.MustPost("/api/v1/alarms/meter/m-1/sig-1/clear", `{"user":"bob"}`)
	poll.Eventually(t, func() bool { return len(recv.Lines()) >= 2 }, "the node receiver got one request: %+v", recv.Lines())
	for _, l := range recv.Lines() {
		if len(l.Verified) != 2 || l.Error != "" || !msgID.MatchString(l.ID) || !strings.HasPrefix(l.Type, "alarm.") {
			t.Errorf("standardwebhooks says %+v", l)
		}
	}
}
