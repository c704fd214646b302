package hub

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEngineKnowsNoGoFrame: the engine imports neither GoFrame nor any Pulse package but the list
// of error code numbers, model's name rules (Wildcard) and the frame-header codec, directly or
// through another package (see doc.go).
func TestEngineKnowsNoGoFrame(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		allowed := map[string]bool{"github.com/pulse-monitoring/pulse/internal/hub": true, "github.com/pulse-monitoring/pulse/internal/consts/errcode": true, "github.com/pulse-monitoring/pulse/internal/model": true,
			"github.com/pulse-monitoring/pulse/internal/wsframe": true}
		pulse := strings.HasPrefix(dep, "github.com/pulse-monitoring/pulse/") && !allowed[dep]
		if pulse || strings.Contains(dep, "gogf/") {
			t.Errorf("internal/hub depends on %s", dep)
		}
	}
}
