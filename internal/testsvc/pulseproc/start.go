package pulseproc

import "testing"

// Start runs p, with t.TempDir() for an empty Dir and a free port for an empty Addr, waits until
// it is healthy and kills it when the test ends. Called again after p ended (Kill), it starts p on
// the same folder and port.
func Start(t testing.TB, p *Process) *Process {
	t.Helper()
	run(t, p, p.Start)
	return p
}

// Launch is Start without the wait for /healthz: for a server expected to refuse to start, or
// whose start log is the test.
func Launch(t testing.TB, p *Process) *Process {
	t.Helper()
	run(t, p, p.Launch)
	return p
}

func run(t testing.TB, p *Process, start func() error) {
	t.Helper()
	if p.Dir == "" {
		p.Dir = t.TempDir()
	}
	t.Cleanup(p.Kill)
	if err := start(); err != nil {
		t.Fatal(err)
	}
}

// FreeAddr is a loopback host:port nothing listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}
