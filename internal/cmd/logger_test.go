package cmd_test

import (
	"strings"
	"syscall"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestLoggerLevelError: with logger.level error the server writes none of its INFO and WARN lines
// (the start summary, "auth is off", the shutdown), and none of GoFrame's, from start to exit;
// at level info the same lines are there, so the test reads the output where they would be.
func TestLoggerLevelError(t *testing.T) {
	for _, level := range []string{"info", "error"} {
		t.Run(level, func(t *testing.T) {
			addr := pulseproc.FreeAddr(t)
			srv := pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Addr: addr,
				Config: "server:\n  address: \"" + addr + "\"\nlogger:\n  level: " + level + "\nlog:\n  access: true\n"})
			logs := srv.Logs()
			if err := srv.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := srv.Wait(); err != nil {
				t.Fatalf("exit: %v\n%s", err, logs)
			}
			out := logs.String()
			lines := []string{"auth is off", "serving on", "alarm store:", "limits:", "access GET /healthz 200", "shutting down", "pulse stopped"}
			for _, line := range lines {
				if has := strings.Contains(out, line); has != (level == "info") {
					t.Errorf("level %s: %q logged: %v\n%s", level, line, has, out)
				}
			}
			if level == "error" && strings.TrimSpace(out) != "" {
				t.Errorf("level error: the server wrote\n%s", out)
			}
		})
	}
}
