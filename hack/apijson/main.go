// Command apijson writes the API description a Pulse server serves at /api.json, indented, to the
// file it is given: it starts one with the default configuration (an alarm store in a temporary
// folder) on a free port, fetches the description and stops it. make apiclient writes
// internal/apiclient/api.json with it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcfg"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: apijson FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "apijson:", err)
		os.Exit(1)
	}
}

func run(file string) error {
	// A quiet GoFrame of its own: this prints the description only.
	adapter, err := gcfg.NewAdapterContent("server:\n  dumpRouterMap: false\nlogger:\n  level: error\n")
	if err != nil {
		return err
	}
	g.Cfg().SetAdapter(adapter)
	dir, err := os.MkdirTemp("", "pulse-apijson-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	cfg := config.Default()
	cfg.Database = gdb.ConfigNode{Link: "sqlite::@file(" + dir + "/pulse.db)"}
	a, err := app.New(ctx, "apijson", cfg)
	if err != nil {
		return err
	}
	defer a.Shutdown(ctx)
	if err := a.Listen(ctx, "127.0.0.1:0"); err != nil {
		return err
	}
	a.Server.SetDumpRouterMap(false)
	if err := a.Start(); err != nil {
		return err
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api.json", a.Port()))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /api.json: %d %s", resp.StatusCode, raw)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		return err
	}
	pretty.WriteByte('\n')
	return os.WriteFile(file, pretty.Bytes(), 0o644)
}
