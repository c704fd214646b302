package cmd_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/config"
)

// TestTokenCommand: `pulse token` prints a token that the Verifier of the same configuration
// accepts, with the grants asked for; it refuses clearly without a secret or with a bad pattern,
// and never prints the secret.
func TestTokenCommand(t *testing.T) {
	bin := serverBinary(t)
	const secret = "token-command-secret-0123456789abcdef"
	run := func(t *testing.T, yaml string, args ...string) (stdout, stderr string, err error) {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{"token"}, args...)...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "GF_GCFG_PATH="+dir)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err = cmd.Run()
		if strings.Contains(out.String()+errOut.String(), secret) {
			t.Fatalf("the output shows the secret:\n%s\n%s", out.String(), errOut.String())
		}
		return out.String(), errOut.String(), err
	}
	jwtCfg := config.JWT{HMACSecret: secret, Issuer: "https://pulse.example/", Audience: "pulse", Leeway: 30 * time.Second}
	yaml := "auth:\n  jwt:\n    hmacSecret: \"" + secret + "\"\n    issuer: \"https://pulse.example/\"\n    audience: pulse\n"

	before := time.Now().Truncate(time.Second)
	out, errOut, err := run(t, yaml, "--sub", "alice", "--rowdata", "meter/*,pump/p-7", "--rowdata=x/y",
		"--alarms", "*", "--ack", "--ttl", "8h")
	after := time.Now()
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	v, err := auth.New(jwtCfg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(context.Background(), strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("the printed token does not verify: %v", err)
	}
	if id.Sub != "alice" || !id.Ack || len(id.RowData) != 3 || id.RowData[0].String() != "meter/*" ||
		id.RowData[1].String() != "pump/p-7" || id.RowData[2].String() != "x/y" ||
		len(id.Alarms) != 1 || id.Alarms[0].String() != "*" {
		t.Fatalf("%+v", id)
	}
	if id.Expires.Before(before.Add(8*time.Hour)) || id.Expires.After(after.Add(8*time.Hour)) {
		t.Fatalf("expires %v, want 8h after %v", id.Expires, before)
	}

	// Nothing asked, nothing granted.
	out, errOut, err = run(t, yaml, "--sub", "bob")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if id, err = v.Verify(context.Background(), strings.TrimSpace(out)); err != nil || id.Sub != "bob" || id.Ack ||
		len(id.RowData)+len(id.Alarms) != 0 {
		t.Fatalf("%+v %v", id, err)
	}

	for _, c := range []struct {
		yaml string
		args []string
		want string
	}{
		{"server:\n  address: \":0\"\n", []string{"--sub", "alice"}, "auth.jwt.hmacSecret is not set in the configuration"},
		{yaml, []string{"--sub", "alice", "--rowdata", "meter"}, `--rowdata: "meter" is not a business pattern`},
		{yaml, []string{"--sub", "alice", "--alarms", "*,a/b/c"}, `--alarms: "a/b/c" is not a business pattern`},
		{yaml, []string{"--rowdata", "*"}, "--sub: the user must not be empty"},
		{yaml, []string{"--sub", "alice", "--ttl", "8"}, "--ttl: must be a positive duration"},
		{"auth:\n  jwt:\n    hmacSecret: \"" + secret[:20] + "\"\n", []string{"--sub", "alice"}, "config auth.jwt.hmacSecret: is set but shorter than 32 bytes"},
	} {
		out, errOut, err := run(t, c.yaml, c.args...)
		if err == nil || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %v, stdout %q, stderr %q, want %q", c.args, err, out, errOut, c.want)
		}
		if strings.Contains(errOut, secret[:20]) {
			t.Errorf("%v: the message shows the secret: %s", c.args, errOut)
		}
	}
}
