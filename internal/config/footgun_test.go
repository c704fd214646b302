package config_test

import (
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// TestAnyOriginWithAuthOffIsRefused: ws.allowedOrigins ["*"] with auth off refuses the start,
// naming both keys, whether read from the file or built in code; with auth on, or with listed
// origins, it starts.
func TestAnyOriginWithAuthOffIsRefused(t *testing.T) {
	for _, yaml := range []string{
		"ws:\n  allowedOrigins: [\"*\"]\n",
		"ws:\n  allowedOrigins: [\"*\"]\nauth:\n  enabled: false\n",
	} {
		_, err := load(t, yaml)
		if err == nil || !strings.Contains(err.Error(), "config ws.allowedOrigins: [\"*\"] with auth.enabled false") {
			t.Errorf("%q: %v, want a refusal naming ws.allowedOrigins and auth.enabled", yaml, err)
		}
	}
	cfg := config.Default()
	cfg.WS.AllowedOrigins = []string{"*"}
	if err := cfg.Check(); err == nil || !strings.Contains(err.Error(), "ws.allowedOrigins") || !strings.Contains(err.Error(), "auth.enabled") {
		t.Errorf("Check: %v", err)
	}
	for _, yaml := range []string{
		"ws:\n  allowedOrigins: [\"*\"]\nauth:\n  enabled: true\n  jwt:\n    hmacSecret: \"" + secret + "\"\n",
		"ws:\n  allowedOrigins: [\"https://dash.example\"]\n",
	} {
		if _, err := load(t, yaml); err != nil {
			t.Errorf("%q: %v", yaml, err)
		}
	}
}
