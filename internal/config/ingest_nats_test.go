package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNATSIsOffByDefault: without ingest.nats the source is off, with the contract's names.
func TestNATSIsOffByDefault(t *testing.T) {
	cfg, err := load(t, "server:\n  address: \":0\"\n")
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Ingest.NATS
	if n.URL != "" || n.Stream != "PULSE" || n.Durable != "pulse" || n.Subjects.Alarm != "pulse.alarm.{businessType}.{businessId}" ||
		n.AckWait != 30*time.Second || n.MaxAckPending != 1000 || strings.Join(n.Businesses, ",") != "*" {
		t.Fatalf("defaults: %+v", n)
	}
}

// TestNATSSectionIsRead: every key of ingest.nats is read; the password may come from a file.
func TestNATSSectionIsRead(t *testing.T) {
	dir := t.TempDir()
	secret, ca := filepath.Join(dir, "password"), filepath.Join(dir, "ca.pem")
	for _, f := range []string{secret, ca} {
		if err := os.WriteFile(f, []byte("s3cret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := load(t, `ingest:
  nats:
    url: "nats://a:4222,tls://b:4222"
    stream: "PLANT"
    durable: "pulse-eu"
    deadLetter: "plant.refused"
    subjects:
      rowdata: "plant.{businessType}.{businessId}.rows"
      alarm: "plant.{businessType}.{businessId}.alarms"
    businesses: ["meter/*"]
    username: "pulse"
    passwordFile: "`+secret+`"
    tls:
      caFile: "`+ca+`"
    ackWait: "5s"
    maxAckPending: 50
`)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Ingest.NATS
	if n.URL != "nats://a:4222,tls://b:4222" || n.Stream != "PLANT" || n.Durable != "pulse-eu" || n.DeadLetter != "plant.refused" ||
		n.Subjects.RowData != "plant.{businessType}.{businessId}.rows" || n.Businesses[0] != "meter/*" || n.Username != "pulse" ||
		n.Password != "s3cret" || n.TLS.CAFile != ca || n.AckWait != 5*time.Second || n.MaxAckPending != 50 {
		t.Fatalf("read: %+v", n)
	}
}

// TestNATSMistakesRefuseTheStart: a value of ingest.nats that cannot work stops the start, naming
// the key.
func TestNATSMistakesRefuseTheStart(t *testing.T) {
	on := "ingest:\n  nats:\n    url: \"nats://127.0.0.1:4222\"\n"
	for _, c := range []struct{ yaml, want string }{
		{"ingest:\n  nats:\n    url: \"http://x\"\n", "config ingest.nats.url: is not a NATS URL"},
		{on + "    stream: \"a.b\"\n", `config ingest.nats.stream: "a.b" is not a JetStream name`},
		{on + "    durable: \"\"\n", "config ingest.nats.durable: \"\" is not a JetStream name"},
		{on + "    deadLetter: \"refused.*\"\n", `config ingest.nats.deadLetter: "refused.*" is not a subject`},
		{on + "    deadLetter: \"pulse.alarm.x.y\"\n", `config ingest.nats.deadLetter: "pulse.alarm.x.y" is an ingest subject`},
		{on + "    subjects:\n      alarm: \"pulse.alarm.*\"\n", "config ingest.nats.subjects.alarm: "},
		{on + "    subjects:\n      alarm: \"pulse.rowdata.{businessType}.{businessId}\"\n", "config ingest.nats.subjects.alarm: \"pulse.rowdata.{businessType}.{businessId}\" is a row-data subject too"},
		{on + "    businesses: []\n", "config ingest.nats.businesses: is empty"},
		{on + "    businesses: [\"meter\"]\n", `config ingest.nats.businesses[0]: "meter" is not a business pattern`},
		{on + "    ackWait: \"10ms\"\n", "config ingest.nats.ackWait: 10ms is out of range"},
		{on + "    maxAckPending: 0\n", "config ingest.nats.maxAckPending: 0 is out of range"},
		{on + "    credsFile: \"/nonexistent/pulse.creds\"\n", `config ingest.nats.credsFile: cannot read the file "/nonexistent/pulse.creds"`},
		{on + "    token: \"t\"\n    username: \"u\"\n", "config ingest.nats.token: is set and so is username or credsFile"},
		{on + "    password: \"p\"\n", "config ingest.nats.password: is set without ingest.nats.username"},
		{on + "    password: \"p\"\n    passwordFile: \"/etc/hostname\"\n", "config ingest.nats.password"},
		{on + "    tls:\n      certFile: \"/etc/hostname\"\n", "config ingest.nats.tls.certFile: and ingest.nats.tls.keyFile go together"},
	} {
		_, err := load(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.yaml, err, c.want)
		}
	}
}

// TestNATSUnknownKeyIsWarnedAbout: a misspelt key of ingest.nats is named in a warning.
func TestNATSUnknownKeyIsWarnedAbout(t *testing.T) {
	_, report, err := loadReport(t, "ingest:\n  nats:\n    durabel: \"x\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(report.Warnings, "\n"), "unknown key ingest.nats.durabel (ignored); did you mean ingest.nats.durable?") {
		t.Fatalf("warnings: %q", report.Warnings)
	}
}
