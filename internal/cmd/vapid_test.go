package cmd_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/encoding/gjson"

	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
)

// TestVapidCommand runs `pulse vapid`: its two lines, read as YAML, are a key pair the webpush
// outlet accepts, a new one each time; `pulse help` lists the command.
func TestVapidCommand(t *testing.T) {
	bin := serverBinary(t)
	seen := map[string]bool{}
	for range 2 {
		out, err := exec.Command(bin, "vapid").Output()
		if err != nil {
			t.Fatalf("pulse vapid: %v\n%s", err, out)
		}
		j, err := gjson.LoadContentType(gjson.ContentTypeYaml, out)
		if err != nil {
			t.Fatalf("the output is not YAML: %v\n%s", err, out)
		}
		pub, priv := j.Get("vapidPublicKey").String(), j.Get("vapidPrivateKey").String()
		if len(pub) != 87 || len(priv) != 43 { // 65 and 32 bytes in base64url without padding
			t.Fatalf("keys of %d and %d characters:\n%s", len(pub), len(priv), out)
		}
		if _, err := webpush.ParseVAPID(pub, priv); err != nil {
			t.Fatalf("the printed pair is refused: %v", err)
		}
		if seen[pub] {
			t.Fatal("pulse vapid printed the same pair twice")
		}
		seen[pub] = true
	}
	help, err := exec.Command(bin, "help").CombinedOutput()
	if err != nil || !strings.Contains(string(help), "vapid") {
		t.Fatalf("pulse help does not list vapid: %v\n%s", err, help)
	}
}
