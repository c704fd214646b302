package cmd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestAuthOffIsLogged: with auth off (the default) the start log says so, in the contract's
// words, even at log level warning.
func TestAuthOffIsLogged(t *testing.T) {
	logs := pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t)}).Logs()
	if !strings.Contains(logs.String(), "auth is off: anyone who can reach this server can read and acknowledge everything") {
		t.Fatalf("the start log does not say that auth is off:\n%s", logs.String())
	}
}

// TestAuthWithoutKeySourceRefusesToStart: auth.enabled without a key in auth.jwt stops the start,
// naming auth.jwt.
func TestAuthWithoutKeySourceRefusesToStart(t *testing.T) {
	refusesToStart(t, "auth:\n  enabled: true\n",
		"config auth.jwt: auth.enabled needs a key source in auth.jwt: hmacSecret, publicKeys or jwksUrl")
}

// TestAnyOriginWithAuthOffRefusesToStart: ws.allowedOrigins ["*"] with auth off stops the start,
// naming both keys.
func TestAnyOriginWithAuthOffRefusesToStart(t *testing.T) {
	refusesToStart(t, "ws:\n  allowedOrigins: [\"*\"]\n", `config ws.allowedOrigins: ["*"] with auth.enabled false`)
}

// refusesToStart runs the server with section (YAML) in its configuration, at the default log
// level, and fails unless it exits non-zero having said want.
func refusesToStart(t *testing.T, section, want string) {
	t.Helper()
	cfg := "server:\n  address: \"" + pulseproc.FreeAddr(t) + "\"\n" + section
	srv := pulseproc.Launch(t, &pulseproc.Process{Bin: serverBinary(t), Config: cfg})
	select {
	case <-srv.Exited():
	case <-time.After(patience): // a server that starts is killed
		srv.Kill()
	}
	if err := srv.Wait(); err == nil || !strings.Contains(srv.Logs().String(), want) {
		t.Fatalf("%v\n%s", err, srv.Logs())
	}
}
