package main

import (
	"fmt"
	"os"

	"github.com/gogf/gf/v2/os/gctx"

	"github.com/pulse-monitoring/pulse/internal/cmd"
)

func main() {
	// The error alone: a refused configuration is the operator's to read, not a stack to dig through.
	if err := cmd.Main.RunWithError(gctx.GetInitCtx()); err != nil {
		fmt.Fprintln(os.Stderr, "pulse:", err)
		os.Exit(1)
	}
}
