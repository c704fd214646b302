// Package pulseproc runs the real pulse binary as a child process, for the tests that need what
// an in-process server (package pulsenode) cannot give: signals, SIGKILL and a restart on the same
// store, the start log, the exit status, an open-file limit.
//
//   - Main (from a package's TestMain) and Build: the binary, built once per test process.
//   - Start(t, p) runs a Process (Dir defaults to t.TempDir(), Addr to a free port) and waits
//     until /healthz answers 200; Launch does not wait. Either kills it when the test ends.
//   - A Process may be killed (Kill: SIGKILL, as a crash), signalled, stopped and started again on
//     the same folder and port (p.Start, or Start(t, p) again).
//
// Process itself does not import testing's helpers into its API, so a program (hack/flood) may run
// a server with it too.
package pulseproc
