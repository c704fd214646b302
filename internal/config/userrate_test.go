package config_test

import (
	"strings"
	"testing"
)

// TestUserRateKey: auth.userRate is 20 by default, 0 turns it off, and a value that cannot work
// refuses the start naming the key.
func TestUserRateKey(t *testing.T) {
	for yaml, want := range map[string]float64{"": 20, "auth:\n  userRate: 0\n": 0, "auth:\n  userRate: 2.5\n": 2.5} {
		cfg, err := load(t, "server:\n  address: \":9000\"\n"+yaml)
		if err != nil || cfg.Auth.UserRate != want {
			t.Errorf("%q: %v %v, want %v", yaml, cfg.Auth.UserRate, err, want)
		}
	}
	for yaml, want := range map[string]string{
		"auth:\n  userRate: -1\n":    "config auth.userRate: -1 is out of range: it must be 0 (no limit) or at least 0.5 requests per second",
		"auth:\n  userRate: 0.1\n":   "config auth.userRate: 0.1 is out of range",
		"auth:\n  userRate: \"a\"\n": `config auth.userRate: "a" is not a number`,
		"auth:\n  userRate: [1]\n":   "config auth.userRate: [1] is not a number",
		"auth:\n  userRate: .nan\n":  "config auth.userRate: NaN is not a number",
	} {
		if _, err := load(t, yaml); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", yaml, err, want)
		}
	}
}
