package pulseproc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// binDir holds the binaries Build makes; Main creates and removes it.
var binDir string

// Main runs a package's tests with a folder for the binaries Build makes, removed at the end:
//
//	func TestMain(m *testing.M) { pulseproc.Main(m) }
func Main(m *testing.M) {
	// Named after the test binary (pulse-cmd-test-...): a server left running says whose it is.
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	dir, err := os.MkdirTemp("", "pulse-"+name+"-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type build struct {
	once sync.Once
	path string // where it goes
	bin  string // where it is, once built
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*build{} // by ldflags
)

// Build is the pulse binary, built from the module's main package with -ldflags ldflags ("" for
// none) once per test process and ldflags: a link of the whole server takes longer than most
// tests on a busy machine.
func Build(t testing.TB, ldflags string) string {
	t.Helper()
	if binDir == "" {
		t.Fatal("pulseproc.Build needs the package's TestMain to call pulseproc.Main")
	}
	buildsMu.Lock()
	b := builds[ldflags]
	if b == nil {
		b = &build{path: filepath.Join(binDir, "pulse")}
		if n := len(builds); n > 0 {
			b.path += fmt.Sprint("-", n)
		}
		builds[ldflags] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			b.err = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		cmd := exec.Command("go", "build", "-ldflags", ldflags, "-o", b.path, ".")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		b.bin = b.path
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.bin
}
