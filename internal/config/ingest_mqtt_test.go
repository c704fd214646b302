package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMQTTSectionIsRead: the contract's ingest.mqtt reads, its password from a file.
func TestMQTTSectionIsRead(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mqtt-password")
	if err := os.WriteFile(file, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, report, err := loadReport(t, `ingest:
  mqtt:
    broker: "tcp://127.0.0.1:1883"
    clientId: "pulse-1"
    username: "pulse"
    passwordFile: "`+file+`"
    shareGroup: "pulse"
    topics:
      rowdata: "plant/rowdata/{businessType}/{businessId}"
      alarm: "plant/alarm/{businessType}/{businessId}"
    businesses: ["meter/*"]
    tls:
      caFile: "/etc/pulse/ca.pem"
    qos: 2
`)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Ingest.MQTT
	if m.Broker != "tcp://127.0.0.1:1883" || m.ClientID != "pulse-1" || m.Password != "s3cret" || m.ShareGroup != "pulse" ||
		m.Topics.Alarm != "plant/alarm/{businessType}/{businessId}" || !slices.Equal(m.Businesses, []string{"meter/*"}) || m.TLS.CAFile != "/etc/pulse/ca.pem" {
		t.Fatalf("%+v", m)
	}
	if !slices.ContainsFunc(report.Warnings, func(w string) bool { return strings.Contains(w, "ingest.mqtt.qos") }) {
		t.Fatalf("an unknown key is not warned about: %v", report.Warnings)
	}
}

// TestMQTTRefusals: values that cannot work refuse the start, naming the key; the password never
// appears.
func TestMQTTRefusals(t *testing.T) {
	for _, c := range []struct{ yaml, key string }{
		{`broker: "http://host:1883"`, "ingest.mqtt.broker"},
		{`broker: "tcp://user:hunter2@host:1883"`, "ingest.mqtt.broker"},
		{"broker: \"tcp://host:1883\"\n    clientId: \"\"", "ingest.mqtt.clientId"},
		{"broker: \"tcp://host:1883\"\n    shareGroup: \"a/b\"", "ingest.mqtt.shareGroup"},
		{"broker: \"tcp://host:1883\"\n    topics: {rowdata: \"pulse/+/{businessId}\"}", "ingest.mqtt.topics.rowdata"},
		{"broker: \"tcp://host:1883\"\n    topics: {rowdata: \"a/{businessType}\", alarm: \"a/{businessType}\"}", "ingest.mqtt.topics"},
		{"broker: \"tcp://host:1883\"\n    businesses: []", "ingest.mqtt.businesses"},
		{"broker: \"tcp://host:1883\"\n    businesses: [\"meter\"]", "ingest.mqtt.businesses[0]"},
		{"broker: \"tcp://host:1883\"\n    password: \"hunter2\"\n    passwordFile: \"/nonexistent\"", "ingest.mqtt.password"},
		{"broker: \"tcp://host:1883\"\n    tls: {certFile: \"/c.pem\"}", "ingest.mqtt.tls"},
	} {
		_, err := load(t, "ingest:\n  mqtt:\n    "+c.yaml+"\n")
		if err == nil || !strings.Contains(err.Error(), c.key) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v; want a refusal naming %s without the password", c.yaml, err, c.key)
		}
	}
}
