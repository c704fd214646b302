package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/os/gfile"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
)

// TestSQLiteFileInWorkingDirectory: with the default link, the alarm store is data/pulse.db under
// the working directory, even when a data/pulse.db lies beside the binary (where GoFrame's driver
// would look for a relative file too); the link names the absolute file, which the start log shows.
func TestSQLiteFileInWorkingDirectory(t *testing.T) {
	decoy := filepath.Join(gfile.SelfDir(), "data", "pulse.db") // the test binary's folder, a temporary one
	if _, err := os.Stat(decoy); os.IsNotExist(err) {
		if err := os.MkdirAll(filepath.Dir(decoy), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(decoy, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(filepath.Dir(decoy)) })
	}
	wd := t.TempDir()
	t.Chdir(wd)

	cfg, _, err := loadReport(t, "server:\n  address: \":0\"\n")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(wd, "data", "pulse.db")
	if !strings.Contains(cfg.Database.Link, "@file("+want+")") {
		t.Errorf("the alarm store's link does not name %s: %q", want, cfg.Database.Link)
	}
	store, err := alarm.New(context.Background(), bus.NewMemory(), alarm.Options{DB: cfg.Database})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(want); err != nil || fi.Size() == 0 {
		t.Fatalf("no alarm store in the working directory's data/: %v", err)
	}
	if fi, err := os.Stat(filepath.Dir(want)); err != nil || fi.Mode().Perm()&^0o750 != 0 {
		t.Errorf("data/ folder: %v %v, want at most mode 0750", fi.Mode(), err)
	}
	if fi, err := os.Stat(decoy); err == nil && fi.Size() > 0 {
		t.Errorf("the store was written beside the binary: %s", decoy)
	}
}
