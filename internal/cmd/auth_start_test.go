package cmd_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuthOffIsLogged: with auth off (the default) the start log says so, in the contract's
// words, even at log level warning.
func TestAuthOffIsLogged(t *testing.T) {
	_, logs := startServer(t, serverBinary(t), t.TempDir(), freeAddr(t))
	if !strings.Contains(logs.String(), "auth is off: anyone who can reach this server can read and acknowledge everything") {
		t.Fatalf("the start log does not say that auth is off:\n%s", logs.String())
	}
}

// TestAuthWithoutKeySourceRefusesToStart: auth.enabled without a key in auth.jwt stops the start,
// naming auth.jwt.
func TestAuthWithoutKeySourceRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	cfg := "server:\n  address: \"" + freeAddr(t) + "\"\nauth:\n  enabled: true\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience) // a server that starts is killed
	defer cancel()
	cmd := exec.CommandContext(ctx, serverBinary(t))
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GF_GCFG_PATH="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "config auth.jwt: auth.enabled needs a key source in auth.jwt: hmacSecret, publicKeys or jwksUrl") {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestAnyOriginWithAuthOffRefusesToStart: ws.allowedOrigins ["*"] with auth off stops the start,
// naming both keys.
func TestAnyOriginWithAuthOffRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	cfg := "server:\n  address: \"" + freeAddr(t) + "\"\nws:\n  allowedOrigins: [\"*\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience) // a server that starts is killed
	defer cancel()
	cmd := exec.CommandContext(ctx, serverBinary(t))
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GF_GCFG_PATH="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `config ws.allowedOrigins: ["*"] with auth.enabled false`) {
		t.Fatalf("%v\n%s", err, out)
	}
}
