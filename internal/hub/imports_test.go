package hub

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEngineKnowsNoGoFrame: the engine imports neither GoFrame nor any Pulse package but the list
// of error code numbers, directly or through another package (see doc.go).
func TestEngineKnowsNoGoFrame(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		pulse := strings.HasPrefix(dep, "pulse/") && dep != "pulse/internal/hub" && dep != "pulse/internal/consts/errcode"
		if pulse || strings.Contains(dep, "gogf/") {
			t.Errorf("internal/hub depends on %s", dep)
		}
	}
}
