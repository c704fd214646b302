package cmd_test

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// testBuild is what serverBinary stamps into the binary, as the Makefile does from git.
var testBuild = struct{ version, commit, built string }{"v1.4.0-2-g0123abc-dirty", "0123abc4567-dirty", "2026-12-01T04:00:00Z"}

const cmdPackage = "github.com/pulse-monitoring/pulse/internal/cmd"

var testLDFlags = "-X " + cmdPackage + ".version=" + testBuild.version +
	" -X " + cmdPackage + ".commit=" + testBuild.commit + " -X " + cmdPackage + ".built=" + testBuild.built

// TestVersion: `pulse version`, `pulse -v` and `pulse --version` print the build the Makefile
// stamped, and exit without starting a server.
func TestVersion(t *testing.T) {
	bin := serverBinary(t)
	want := "pulse " + testBuild.version + " (commit " + testBuild.commit + ", built " + testBuild.built + ")\n"
	for _, args := range [][]string{{"version"}, {"-v"}, {"--version"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = t.TempDir() // no config: a server would start on :8000
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != want {
			t.Errorf("pulse %s: %v, %q; want %q", strings.Join(args, " "), err, out, want)
		}
	}
}

// TestHealthzVersion: /healthz says which build answers.
func TestHealthzVersion(t *testing.T) {
	addr := pulseproc.FreeAddr(t)
	pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Addr: addr})
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data struct{ Version, Commit string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if env.Data.Version != testBuild.version || env.Data.Commit != testBuild.commit {
		t.Errorf("/healthz data: version %q, commit %q; want %q, %q", env.Data.Version, env.Data.Commit, testBuild.version, testBuild.commit)
	}
}

// TestAPIDescriptionReadyWithHealthz: once /healthz answers 200 on a starting binary, /api.json
// answers 200 at once, and its info.version is the version /healthz reports: the build's.
func TestAPIDescriptionReadyWithHealthz(t *testing.T) {
	addr := pulseproc.FreeAddr(t)
	pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Addr: addr}) // returns at the first 200 of /healthz
	resp, err := http.Get("http://" + addr + "/api.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Info struct{ Version string }
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&doc) != nil {
		t.Fatalf("GET /api.json right after /healthz: %d, want 200 with the description", resp.StatusCode)
	}
	if doc.Info.Version != testBuild.version {
		t.Errorf("/api.json info.version %q, want the build's %q (as /healthz says)", doc.Info.Version, testBuild.version)
	}
}
