package cmd

import (
	"context"
	"fmt"

	"github.com/gogf/gf/v2/os/gcmd"

	"github.com/pulse-monitoring/pulse/internal/buildinfo"
)

// Set by the Makefile's builds: -ldflags "-X github.com/pulse-monitoring/pulse/internal/cmd.version=...
// and .commit=... and .built=...". Empty in a plain go build, where
// buildinfo falls back to what Go recorded.
var version, commit, built string

// Version is `pulse version`; `pulse -v` prints the same.
var Version = gcmd.Command{
	Name:  "version",
	Usage: "pulse version",
	Brief: "print the version, commit and build time",
	Func: func(context.Context, *gcmd.Parser) error {
		fmt.Println(buildinfo.Current())
		return nil
	},
}

// versionArgument is the server command's -v / --version.
var versionArgument = gcmd.Argument{Name: "version", Short: "v", Orphan: true, Brief: "print the version, commit and build time, and exit"}

func init() {
	buildinfo.Stamp(version, commit, built)
	if err := Main.AddCommand(&Version); err != nil {
		panic(err)
	}
}
