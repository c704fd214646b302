package config

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcfg"
)

// TestResolveConnections: the connection budget is the open-file limit less a reserve for the
// database and the process's files (a tenth, at least 256); an automatic ws.maxConnections leaves
// 256 of it (half, when smaller) to HTTP requests; a configured value is kept up to the budget and
// refused above it, naming the key and the limit.
func TestResolveConnections(t *testing.T) {
	for _, c := range []struct {
		configured, limit int
		known             bool
		budget, want      int
		say               string // in the start log's line, or in the error
	}{
		{0, 20480, true, 18432, 18176, "at most 18432 TCP connections (open-file limit 20480, 2048 kept for the database and the process's files); ws.maxConnections 18176 (256 of them kept for HTTP requests)"},
		{0, 1024, true, 768, 512, "at most 768 TCP connections (open-file limit 1024, 256 kept for the database and the process's files); ws.maxConnections 512 ("},
		{0, 512, true, 256, 128, "at most 256 TCP connections (open-file limit 512, 256 kept for the database and the process's files); ws.maxConnections 128 (128 of them kept for HTTP requests)"},
		{0, 1048576, true, 943719, 943463, "at most 943719 TCP connections (open-file limit 1048576, 104857 kept"},
		{100, 20480, true, 18432, 100, "at most 18432 TCP connections (open-file limit 20480, 2048 kept for the database and the process's files); ws.maxConnections 100 (configured)"},
		{18432, 20480, true, 18432, 18432, "ws.maxConnections 18432 (configured"},
		{18433, 20480, true, 0, 0, "config ws.maxConnections: 18433 is more than this process can hold open: the open-file limit is 20480 and 2048 are kept for the database and the process's files, so at most 18432"},
		{0, 256, true, 0, 0, "config ws.maxConnections: the open-file limit is 256, which leaves no descriptor"},
		{0, 0, false, 0, 0, "ws.maxConnections unlimited (no open-file limit on this system)"},
		{5000, 0, false, 0, 5000, "ws.maxConnections 5000 (configured; no open-file limit"},
	} {
		budget, n, note, err := resolveConnections(c.configured, c.limit, c.known)
		said := note
		if err != nil {
			said = err.Error()
		}
		if budget != c.budget || n != c.want || !strings.Contains(said, c.say) || (err != nil) != (c.want == 0 && c.known) {
			t.Errorf("%+v: got %d, %d, %q, %v", c, budget, n, note, err)
		}
	}
}

// TestLoadSetsMaxConnections: Load sets the connection budget and fills an absent
// ws.maxConnections from this process's open-file limit, says so in the report, and refuses a
// value above what the limit can hold.
func TestLoadSetsMaxConnections(t *testing.T) {
	limit, known := openFileLimit()
	if !known {
		t.Skip("no open-file limit on this system")
	}
	useConfig(t, "ws:\n  sendQueue: 8\n")
	cfg, report, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	budget := limit - reserveFor(limit)
	want := budget - min(httpShare, budget/2)
	if cfg.Connections != budget || cfg.WS.MaxConnections != want || want <= 0 || !strings.Contains(strings.Join(report.Notes, "\n"), "ws.maxConnections ") {
		t.Fatalf("limit %d: budget %d, maxConnections %d, notes %q", limit, cfg.Connections, cfg.WS.MaxConnections, report.Notes)
	}
	useConfig(t, "ws:\n  maxConnections: 2000000000\n")
	if _, _, err := Load(context.Background()); err == nil ||
		!strings.Contains(err.Error(), "config ws.maxConnections: 2000000000 is more than") ||
		!strings.Contains(err.Error(), "open-file limit") {
		t.Fatalf("a limit the process cannot hold was not refused: %v", err)
	}
}

// TestAbsSQLite: a relative SQLite file becomes absolute against the base folder before gdb sees
// it, wherever the link or node names it; other databases and absolute files are left alone.
func TestAbsSQLite(t *testing.T) {
	base := filepath.FromSlash("/srv/pulse")
	abs := filepath.Join(base, "data", "pulse.db")
	for _, c := range []struct {
		in         gdb.ConfigNode
		link, name string // wanted
		file       string // wanted
	}{
		{gdb.ConfigNode{Link: DefaultDatabaseLink},
			"sqlite::@file(" + abs + ")?busy_timeout=5000&journal_mode=WAL", "", abs},
		{gdb.ConfigNode{Link: "sqlite::@file(pulse.db)"}, "sqlite::@file(" + filepath.Join(base, "pulse.db") + ")", "", filepath.Join(base, "pulse.db")},
		{gdb.ConfigNode{Link: "sqlite::@file(/var/lib/pulse/p.db)?busy_timeout=1"}, "sqlite::@file(/var/lib/pulse/p.db)?busy_timeout=1", "", "/var/lib/pulse/p.db"},
		{gdb.ConfigNode{Type: "sqlite", Link: "::@file(data/pulse.db)"}, "::@file(" + abs + ")", "", abs},
		{gdb.ConfigNode{Type: "sqlite", Name: "data/pulse.db"}, "", abs, abs},
		{gdb.ConfigNode{Link: "sqlite::@file(:memory:)"}, "sqlite::@file(:memory:)", "", ""},
		{gdb.ConfigNode{Link: "mysql:root:pw@tcp(127.0.0.1:3306)/pulse"}, "mysql:root:pw@tcp(127.0.0.1:3306)/pulse", "", ""},
		{gdb.ConfigNode{Link: "pgsql:u:p@file(x)/pulse"}, "pgsql:u:p@file(x)/pulse", "", ""},
	} {
		got, file := absSQLite(c.in, base)
		if got.Link != c.link || got.Name != c.name || file != c.file {
			t.Errorf("%+v:\n got  %q %q %q\n want %q %q %q", c.in, got.Link, got.Name, file, c.link, c.name, c.file)
		}
	}
}

func useConfig(t *testing.T, yaml string) {
	t.Helper()
	adapter, err := gcfg.NewAdapterContent(yaml)
	if err != nil {
		t.Fatal(err)
	}
	g.Cfg().SetAdapter(adapter)
}
