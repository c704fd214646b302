package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/gogf/gf/v2/os/gcmd"
)

// Help is `pulse help [command...]`: the same text as `pulse [command...] --help`, found by the
// same search, so it needs no list of its own.
var Help = gcmd.Command{
	Name:      "help",
	Usage:     "pulse help [command [subcommand]]",
	Brief:     "print how to use pulse or one of its commands (the same as --help)",
	Examples:  "pulse help\npulse help token\npulse help watch rowdata",
	Arguments: []gcmd.Argument{{Name: "command", IsArg: true, Brief: "the command to describe, e.g. token or watch alarms"}},
	Func: func(ctx context.Context, p *gcmd.Parser) error {
		names := p.GetArgAll()[2:] // after "pulse help"
		if _, err := Main.RunWithSpecificArgs(ctx, append(append([]string{"pulse"}, names...), "--help")); err != nil {
			return fmt.Errorf("help: pulse has no command %q (pulse help lists them)", strings.Join(names, " "))
		}
		return nil
	},
}

func init() {
	if err := Main.AddCommand(&Help); err != nil {
		panic(err)
	}
}
