// Package buildinfo says which Pulse this is: its version, commit and build time, for
// `pulse version`, the start log and /healthz.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Info identifies a build.
type Info struct {
	Version string `json:"version"` // git describe of the build (make), or the module version Go stamped
	Commit  string `json:"commit"`  // the commit's hash; "-dirty" when built from changed files
	Built   string `json:"built"`   // UTC build time (make), or the commit's time (a plain go build)
}

// String is the line `pulse version` prints.
func (i Info) String() string {
	return fmt.Sprintf("pulse %s (commit %s, built %s)", i.Version, i.Commit, i.Built)
}

var (
	mu      sync.RWMutex
	stamped Info
)

// Stamp records what the linker set (the Makefile's -ldflags -X); an empty value is filled from
// what Go recorded in the binary, if anything.
func Stamp(version, commit, built string) {
	mu.Lock()
	defer mu.Unlock()
	stamped = Info{Version: version, Commit: commit, Built: built}
}

// Current is this binary's build: what Stamp recorded, completed from runtime/debug.ReadBuildInfo
// (the module version and the vcs.* settings of a go build in a git checkout), else "devel" and
// "unknown".
func Current() Info {
	mu.RLock()
	i := stamped
	mu.RUnlock()
	if bi, ok := debug.ReadBuildInfo(); ok {
		i = fill(i, bi)
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	for _, f := range []*string{&i.Commit, &i.Built} {
		if *f == "" {
			*f = "unknown"
		}
	}
	return i
}

// fill completes i's empty fields from Go's build information.
func fill(i Info, bi *debug.BuildInfo) Info {
	var revision, vcsTime string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			vcsTime = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		i.Version = bi.Main.Version
	}
	if i.Commit == "" && revision != "" {
		i.Commit = revision
		if modified {
			i.Commit += "-dirty"
		}
	}
	if i.Built == "" {
		i.Built = vcsTime
	}
	return i
}
