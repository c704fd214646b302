package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// TestValuesThatCannotWorkAreRefused: a duration without a unit, a value that does not parse or
// one outside what can work stops the start with a message naming the key and saying why.
func TestValuesThatCannotWorkAreRefused(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"ws:\n  pingInterval: 25\n", `config ws.pingInterval: 25 has no unit: add one, e.g. "25s"`},
		{"ws:\n  pingInterval: \"25\"\n", `config ws.pingInterval: "25" has no unit`},
		{"ws:\n  pingInterval: \"soon\"\n", `config ws.pingInterval: "soon" is not a duration`},
		{"ws:\n  pingInterval: \"10ms\"\n", "config ws.pingInterval: 10ms is too short: it must be at least 1s"},
		{"ws:\n  pongTimeout: [1]\n", "config ws.pongTimeout: [1] is not a duration"},
		{"ws:\n  writeTimeout: \"1ns\"\n", "config ws.writeTimeout: 1ns is too short: it must be at least 100ms"},
		{"ws:\n  writeDelay: \"2s\"\n", "config ws.writeDelay: 2s is out of range: it must be between 0s and 1s"},
		{"ws:\n  writeDelay: \"-1ms\"\n", "config ws.writeDelay: -1ms is negative"},
		{"ws:\n  sendQueue: 1e12\n", "config ws.sendQueue: 1e+12 is out of range: it must be between 1 and 65536 messages"},
		{"ws:\n  sendQueue: 0\n", "config ws.sendQueue: 0 is out of range"},
		{"ws:\n  sendQueue: 2.5\n", "config ws.sendQueue: 2.5 is not a whole number"},
		{"ws:\n  maxMessageSize: \"abc\"\n", `config ws.maxMessageSize: "abc" is not a whole number: it must be between 512 and 16777216 bytes`},
		{"ws:\n  maxMessageSize: true\n", "config ws.maxMessageSize: true is not a whole number"},
		{"ws:\n  maxMessageSize: 64\n", "config ws.maxMessageSize: 64 is out of range"},
		{"ws:\n  maxMessageSize: 99999999999999999999999\n", "config ws.maxMessageSize: 1e+23 is out of range"},
		{"ws:\n  maxConnections: -5\n", "config ws.maxConnections: -5 is out of range"},
		{"ws:\n  inboundRate: -1\n", "config ws.inboundRate: -1 is out of range"},
		{"ws:\n  inboundRate: 0.1\n", "config ws.inboundRate: 0.1 is out of range: it must be 0 (no limit) or at least 0.5"},
		{"ws:\n  inboundRate: .nan\n", "config ws.inboundRate: NaN is not a number"},
		{"ws:\n  inboundRate: \"fast\"\n", `config ws.inboundRate: "fast" is not a number`},
		{"ws:\n  allowedOrigins: [\"evil.example\"]\n", `config ws.allowedOrigins: entry "evil.example" is not an origin`},
		{"ws:\n  allowedOrigins: [\"https://a.example/console\"]\n", `entry "https://a.example/console" is not an origin`},
		{"ws:\n  allowedOrigins: [\"https://a.example?x=1\"]\n", `entry "https://a.example?x=1" is not an origin`},
		{"ws:\n  allowedOrigins: [\"https://u:p@a.example\"]\n", `entry "https://u:p@a.example" is not an origin`},
		{"ws:\n  allowedOrigins: [\"https://a.example#x\"]\n", `entry "https://a.example#x" is not an origin`},
		{"ws:\n  allowedOrigins: [\"ftp://a.example\"]\n", `entry "ftp://a.example" has scheme "ftp": it must be http or https`},
		{"ws:\n  allowedOrigins: [\"https://a.example:99999\"]\n", `entry "https://a.example:99999" has port "99999"`},
		{"ws:\n  allowedOrigins: [\"https://a.example:\"]\n", `entry "https://a.example:" is not an origin`},
		{"ws:\n  allowedOrigins: [\"*\", \"https://a.example\"]\n", `config ws.allowedOrigins: "*" allows every origin and must be the only entry`},
		{"ws:\n  allowedOrigins: \"https://a.example\"\n", "config ws.allowedOrigins: https://a.example is not a list"},
		{"ws:\n  allowedOrigins: [7]\n", "config ws.allowedOrigins: entry 7 is not a string"},
		{"ws: 5\n", `config ws: must be a section of keys`},
		{"ingest:\n  maxBodySize: 0\n", "config ingest.maxBodySize: 0 is out of range: it must be between 1024 and 67108864 bytes"},
		{"ingest:\n  maxBodySize: 1e11\n", "config ingest.maxBodySize: 1e+11 is out of range"},
		{"ingest:\n  idempotencyWindow: \"0s\"\n", "config ingest.idempotencyWindow: 0s is out of range: it must be between 1s and 720h0m0s"},
		{"ingest:\n  idempotencyWindow: \"721h\"\n", "config ingest.idempotencyWindow: 721h0m0s is out of range"},
		{"ingest:\n  idempotencyWindow: 24\n", "config ingest.idempotencyWindow: 24 has no unit"},
		{"bus:\n  type: 5\n", "config bus.type: 5 is not a string"},
		{"rowdata:\n  memory: 65536\n", "config rowdata.memory: 65536 is out of range: it must be between 1048576 and 1099511627776 bytes"},
		{"rowdata:\n  memory: \"256MiB\"\n", `config rowdata.memory: "256MiB" is not a whole number`},
		{"rowdata:\n  snapshotSize: 5000\n", "config rowdata.snapshotSize: 5000 is out of range"},
		{"rowdata:\n  historyWindow: 0\n", "config rowdata.historyWindow: 0s is out of range: it must be between 1s and 24h0m0s"},
		{"rowdata:\n  historyWindow: \"48h\"\n", "config rowdata.historyWindow: 48h0m0s is out of range"},
		{"rowdata:\n  historyPoints: -1\n", "config rowdata.historyPoints: -1 is out of range: it must be between 0 and 100000 items"},
		{"rowdata:\n  units: V\n", `config rowdata.units: "V" is not a map`},
		{"rowdata:\n  units:\n    voltage: 5\n", "config rowdata.units.voltage: 5 is not a string"},
		{"rowdata:\n  slowPolicy: drop\n", `config rowdata.slowPolicy: must be "coalesce" (keep the newest item of each business) or "dropOldest"`},
		{"ws:\n  compression: \"yes\"\n", `config ws.compression: "yes" is not true or false`},
		{"rowdata:\n  slowPolicy: true\n", "config rowdata.slowPolicy: true is not a string"},
		{"alarm:\n  retention: 720\n", "config alarm.retention: 720 has no unit"},
		{"alarm:\n  purgeInterval: \"1ms\"\n", "config alarm.purgeInterval: 1ms is too short: it must be at least 1s"},
		// The rules that were there before stay.
		{"ws:\n  pingInterval: \"30s\"\n  pongTimeout: \"20s\"\n", "config ws.pongTimeout: must be longer than ws.pingInterval"},
	} {
		_, err := load(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.yaml, err, c.want)
		}
	}
}

// TestValuesThatCanWorkAreRead: the edges of each range, 0 where it means something, and the
// forms an origin may take.
func TestValuesThatCanWorkAreRead(t *testing.T) {
	cfg, err := load(t, `ws:
  allowedOrigins: ["https://Console.example:8443", "http://localhost:3000/"]
  maxMessageSize: "512"
  pingInterval: "1s"
  pongTimeout: "1.5s"
  writeTimeout: "100ms"
  sendQueue: 65536
  writeDelay: 0
  inboundRate: 0.5
  compression: true
ingest:
  maxBodySize: 67108864
  idempotencyWindow: "720h"
rowdata:
  snapshotSize: 0
  historyWindow: "1s"
  historyPoints: 0
  memory: 1048576
  slowPolicy: dropOldest
  units:
    voltage: V
    temperature: "°C"
alarm:
  retention: "0"
  purgeInterval: "1s"
`)
	if err != nil {
		t.Fatal(err)
	}
	ws := cfg.WS
	if len(ws.AllowedOrigins) != 2 || ws.MaxMessageSize != 512 || ws.PingInterval != time.Second ||
		ws.PongTimeout != 1500*time.Millisecond || ws.WriteTimeout != 100*time.Millisecond || ws.SendQueue != 65536 ||
		ws.WriteDelay != 0 || ws.InboundRate != 0.5 || !ws.Compression || cfg.Ingest.MaxBodySize != 64<<20 || cfg.Ingest.IdempotencyWindow != 720*time.Hour ||
		cfg.RowData.SnapshotSize != 0 || cfg.RowData.Memory != 1<<20 || cfg.Alarm.Retention != 0 ||
		cfg.RowData.HistoryWindow != time.Second || cfg.RowData.HistoryPoints != 0 ||
		cfg.RowData.Units["voltage"] != "V" || cfg.RowData.Units["temperature"] != "°C" ||
		cfg.Alarm.PurgeInterval != time.Second || cfg.RowData.SlowPolicy != config.SlowDropOldest {
		t.Fatalf("%+v", cfg)
	}
	withAuth := "auth:\n  enabled: true\n  jwt:\n    hmacSecret: \"0123456789abcdef0123456789abcdef\"\n"
	if cfg, err = load(t, withAuth+"ws:\n  allowedOrigins: [\"*\"]\n  inboundRate: 0\n  maxMessageSize:\n"); err != nil ||
		cfg.WS.AllowedOrigins[0] != "*" || cfg.WS.InboundRate != 0 || cfg.WS.MaxMessageSize != 4096 {
		t.Fatalf("%+v %v", cfg.WS, err)
	}
}

// TestUnknownKeysAreWarnedAbout: a misspelt key does not stop the start, but the start log names
// it (with the key it probably meant), in the auth section and its nested sections too.
func TestUnknownKeysAreWarnedAbout(t *testing.T) {
	cfg, report, err := loadReport(t, `ws:
  maxMesageSize: 8192
  PingInterval: "5s"
  colour: blue
rowdata:
  snapshotSize: 5
auth:
  mode: jwt
  jwt:
    secret: x
    leway: "1m"
  ingestKeys:
    - name: a
      keySha256: "0000000000000000000000000000000000000000000000000000000000000000"
      allow: [rowdata]
      businesses: ["*"]
      rates: 5
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"config: unknown key auth.ingestKeys[0].rates (ignored); did you mean auth.ingestKeys[0].rate?",
		"config: unknown key auth.jwt.leway (ignored); did you mean auth.jwt.leeway?",
		"config: unknown key auth.jwt.secret (ignored)",
		"config: unknown key auth.mode (ignored)",
		"config: unknown key ws.PingInterval (ignored); did you mean ws.pingInterval?",
		"config: unknown key ws.colour (ignored)",
		"config: unknown key ws.maxMesageSize (ignored); did you mean ws.maxMessageSize?",
		config.AuthOff,
	}
	if strings.Join(report.Warnings, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(report.Warnings, "\n"), strings.Join(want, "\n"))
	}
	if cfg.WS.MaxMessageSize != 4096 || cfg.WS.PingInterval != 25*time.Second || cfg.RowData.SnapshotSize != 5 {
		t.Fatalf("an unknown key changed a value: %+v", cfg)
	}
}

// TestRetiredSnapshotKeysIsWarnedAbout: rowdata.snapshotKeys, which bounded the snapshots by a
// count of keys, no longer does anything: a file that still sets it starts, with a warning naming
// rowdata.memory, the bound that replaced it.
func TestRetiredSnapshotKeysIsWarnedAbout(t *testing.T) {
	cfg, report, err := loadReport(t, "rowdata:\n  snapshotKeys: 10000\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "config: rowdata.snapshotKeys is retired (ignored): row-data memory is bounded in bytes by rowdata.memory, shared fairly between business types"
	if len(report.Warnings) == 0 || report.Warnings[0] != want {
		t.Fatalf("warnings %q, want first %q", report.Warnings, want)
	}
	if cfg.RowData.Memory != 256<<20 {
		t.Fatalf("rowdata.memory %d, want the default 256 MiB", cfg.RowData.Memory)
	}
}

// TestOriginsAsBrowsersSendThem: an entry that no browser's Origin header can equal is refused.
func TestOriginsAsBrowsersSendThem(t *testing.T) {
	for entry, want := range map[string]string{
		"https://a.example:443":         `has the default port 443, which browsers leave out: write https://a.example`,
		"http://a.example:80":           `has the default port 80`,
		"https://a.example:0443":        `has port "0443"`,
		"https://bücher.example":        `has a non-ASCII host`,
		"https://a%2eexample":           `is not an origin`,
		"https://a.example//":           `is not an origin`,
		"https://a.example/#":           `is not an origin`,
		"https://[::1]:8443/path":       `is not an origin`,
		"https://xn--bcher-kva.example": "",
		"http://[::1]:3000":             "",
		"HTTPS://A.Example/":            "",
	} {
		_, err := load(t, "ws:\n  allowedOrigins: [\""+entry+"\"]\n")
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), "config ws.allowedOrigins: entry \""+entry+"\" "+want)) {
			t.Errorf("%s: %v, want %q", entry, err, want)
		}
	}
}
