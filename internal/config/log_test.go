package config_test

import (
	"strings"
	"testing"
)

// TestLogSection: log.format and log.access are read strictly, like Pulse's other sections.
func TestLogSection(t *testing.T) {
	cfg, err := load(t, "server:\n  address: \":0\"\n")
	if err != nil || cfg.Log.Format != "text" || cfg.Log.Access {
		t.Fatalf("defaults: %+v %v, want text logs without the access log", cfg.Log, err)
	}
	if cfg, err = load(t, "log:\n  format: \"json\"\n  access: true\n"); err != nil || cfg.Log.Format != "json" || !cfg.Log.Access {
		t.Fatalf("%+v %v", cfg.Log, err)
	}
	for _, c := range []struct{ yaml, want string }{
		{"log:\n  format: \"JSON lines\"\n", `config log.format: must be "text" or "json"`},
		{"log:\n  format: 1\n", "config log.format: 1 is not a string"},
		{"log:\n  access: \"yes\"\n", `config log.access: "yes" is not true or false`},
		{"log: json\n", "config log: must be a section of keys"},
	} {
		if _, err := load(t, c.yaml); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.yaml, err, c.want)
		}
	}
}
