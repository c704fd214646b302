// Package cmd holds Pulse's command line: the server (default) and its tools.
package cmd

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcmd"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/buildinfo"
	"github.com/pulse-monitoring/pulse/internal/config"
)

// shutdownTimeout bounds how long closing connections may take after SIGTERM/SIGINT.
const shutdownTimeout = 4 * time.Second

// Main runs the Pulse server until SIGTERM or SIGINT.
var Main = gcmd.Command{
	Name: "pulse",
	Usage: "pulse                    no command: run the server\n" +
		"    pulse COMMAND [OPTION]   run a tool beside it (pulse help COMMAND says more)",
	Brief: "push live business data and alarms to dashboards and alarm consoles over WebSocket",
	Description: "Without a command, pulse is the server: it reads config.yaml (GoFrame looks in the working directory, " +
		"config/ and manifest/config/; GF_GCFG_PATH and GF_GCFG_FILE choose another), listens on server.address and runs until SIGTERM or SIGINT. " +
		"The commands below are tools beside it.",
	Arguments: []gcmd.Argument{versionArgument},
	Func: func(ctx context.Context, parser *gcmd.Parser) error {
		if parser.GetOpt(versionArgument.Name) != nil {
			fmt.Println(buildinfo.Current())
			return nil
		}
		// Signals are ours from the first moment: one that arrives while the server starts still
		// gets the graceful shutdown, not the default action that kills the process.
		signals, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		cfg, report, err := config.Load(ctx)
		useOneLogger(cfg)
		for _, w := range report.Warnings {
			glog.Warning(ctx, w)
		}
		if err != nil {
			return err
		}
		for _, note := range report.Notes {
			glog.Info(ctx, note)
		}
		logConfig(ctx, cfg)
		profileHeapOnlyIfAsked(ctx)
		a, err := app.New(ctx, "pulse", cfg)
		if err != nil {
			return err
		}
		a.Server.SetLogger(serverLogger())
		if g.Cfg().MustGet(ctx, "server.dumpRouterMap").IsNil() {
			a.Server.SetDumpRouterMap(false) // GoFrame's default: a route table of 40 lines at every start
		}
		if err := a.Listen(ctx, g.Cfg().MustGet(ctx, "server.address", ":8000").String()); err != nil {
			return err
		}
		if err := a.Start(); err != nil {
			return err
		}
		logServing(ctx, a)
		if !a.ConsoleBuilt {
			glog.Warning(ctx, "this binary was built without the console: / says how to build it (make build)")
		}
		<-signals.Done()
		glog.Info(ctx, "shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			glog.Warningf(ctx, "shutdown: %v", err)
		}
		glog.Info(ctx, "pulse stopped")
		return nil
	},
}
