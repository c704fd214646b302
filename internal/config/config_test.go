package config_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/gcfg"

	"github.com/pulse-monitoring/pulse/internal/config"
)

func load(t *testing.T, yaml string) (config.Config, error) {
	t.Helper()
	cfg, _, err := loadReport(t, yaml)
	return cfg, err
}

// loadReport loads yaml as the configuration file, returning what the start log would say too.
func loadReport(t *testing.T, yaml string) (config.Config, config.Report, error) {
	t.Helper()
	adapter, err := gcfg.NewAdapterContent(yaml)
	if err != nil {
		t.Fatal(err)
	}
	g.Cfg().SetAdapter(adapter)
	return config.Load(context.Background())
}

// TestOnlyServerAddress: a file with nothing but server.address runs on the embedded defaults.
func TestOnlyServerAddress(t *testing.T) {
	cfg, err := load(t, "server:\n  address: \":9000\"\n")
	if err != nil {
		t.Fatal(err)
	}
	d := config.Default()
	if cfg.WS.PingInterval != d.WS.PingInterval || cfg.WS.SendQueue != 256 || cfg.Ingest.MaxBodySize != 1<<20 || cfg.Bus.Type != "memory" ||
		cfg.RowData.SlowPolicy != config.SlowCoalesce {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
}

func TestKeysAreRead(t *testing.T) {
	cfg, err := load(t, `ws:
  allowedOrigins: ["https://a.example"]
  pingInterval: "2s"
  pongTimeout: "1m"
  sendQueue: 16
  maxConnections: 10
ingest:
  maxBodySize: 2048
`)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.WS.PingInterval != 2*time.Second || cfg.WS.PongTimeout != time.Minute || cfg.WS.SendQueue != 16 ||
		cfg.WS.MaxConnections != 10 || cfg.WS.AllowedOrigins[0] != "https://a.example" || cfg.Ingest.MaxBodySize != 2048 ||
		cfg.WS.MaxMessageSize != 4096 {
		t.Fatalf("%+v", cfg)
	}
}

// TestClusterKeysAreRead: bus.type redis with redis.default and a shared database.
func TestClusterKeysAreRead(t *testing.T) {
	cfg, err := load(t, `bus:
  type: redis
  channel: east
redis:
  default:
    address: "10.0.0.5:6379"
    db: 2
database:
  default:
    link: "pgsql:postgres:@tcp(10.0.0.6:5432)/pulse"
`)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bus.Type != "redis" || cfg.Bus.Channel != "east" || cfg.Redis.Address != "10.0.0.5:6379" || cfg.Redis.Db != 2 {
		t.Fatalf("%+v", cfg)
	}
}

// TestBadValuesAreRefused: each value that cannot work stops the start with the key's name; a
// cluster without a Redis address or on SQLite (one node's file) is refused too.
func TestBadValuesAreRefused(t *testing.T) {
	for yaml, key := range map[string]string{
		"ws:\n  pongTimeout: \"10s\"\n  pingInterval: \"20s\"\n": "ws.pongTimeout",
		"ws:\n  sendQueue: -1\n":                                 "ws.sendQueue",
		"ws:\n  maxConnections: -5\n":                            "ws.maxConnections",
		"bus:\n  type: kafka\n":                                  "bus.type",
		"bus:\n  type: redis\ndatabase:\n  default:\n    link: \"mysql:root:@tcp(h:3306)/p\"\n": "redis.default.address",
		"bus:\n  type: redis\nredis:\n  default:\n    address: \"h:6379\"\n":                    "database.default.link",
	} {
		if _, err := load(t, yaml); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%q: %v, want an error naming %s", yaml, err, key)
		}
	}
}

// TestNoConfigFile: a binary started where there is no configuration file runs on the defaults.
func TestNoConfigFile(t *testing.T) {
	adapter, err := gcfg.NewAdapterFile("no-such-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetPath(t.TempDir())
	g.Cfg().SetAdapter(adapter)
	cfg, _, err := config.Load(context.Background())
	if err != nil || cfg.WS.SendQueue != 256 {
		t.Fatalf("%+v %v", cfg, err)
	}
}

// TestShippedConfigsLoad: the configuration files in the repository start without an error or a
// warning, but the one that auth is off.
func TestShippedConfigsLoad(t *testing.T) {
	for _, path := range []string{"../../manifest/config/config.yaml", "../../manifest/deploy/compose/config.yaml"} {
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, report, err := loadReport(t, string(content)); err != nil || len(report.Warnings) != 1 || report.Warnings[0] != config.AuthOff {
			t.Errorf("%s: %v %q", path, err, report.Warnings)
		}
	}
}

// TestRetentionDefault: alarms are kept 90 days unless configured otherwise, embedded and in the
// shipped config.yaml alike.
func TestRetentionDefault(t *testing.T) {
	const want = 90 * 24 * time.Hour
	if got := config.Default().Alarm.Retention; got != want {
		t.Fatalf("embedded alarm.retention %v, want %v", got, want)
	}
	content, err := os.ReadFile("../../manifest/config/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := load(t, string(content)); err != nil || cfg.Alarm.Retention != want {
		t.Fatalf("config.yaml's alarm.retention %v (%v), want %v", cfg.Alarm.Retention, err, want)
	}
}
