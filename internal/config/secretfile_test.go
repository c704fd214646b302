package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretFromFile: auth.jwt.hmacSecretFile gives the secret as a file's content, its trailing
// newline trimmed; a missing, unreadable or empty file, a short secret in it, or both keys set
// refuse the start naming the key, never showing the secret.
func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for name, content := range map[string]string{"plain": secret, "newline": secret + "\n", "crlf": secret + "\r\n"} {
		path := write(name, content, 0o600)
		cfg, err := load(t, "auth:\n  enabled: true\n  jwt:\n    hmacSecretFile: \""+path+"\"\n")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.Auth.JWT.HMACSecret != secret {
			t.Fatalf("%s: hmacSecret %q, want the file's content without its newline", name, cfg.Auth.JWT.HMACSecret)
		}
	}
	// An empty hmacSecret beside the file, as a copied config.yaml has it, is no clash.
	if cfg, err := load(t, "auth:\n  jwt:\n    hmacSecret: \"\"\n    hmacSecretFile: \""+write("beside", secret, 0o600)+"\"\n"); err != nil || cfg.Auth.JWT.HMACSecret != secret {
		t.Fatalf("empty hmacSecret beside the file: %v", err)
	}

	unreadable := write("unreadable", secret, 0o000)
	short := write("short", secret[:31]+"\n", 0o600)
	empty := write("empty", "\n", 0o600)
	for _, c := range []struct{ yaml, want string }{
		{"auth:\n  jwt:\n    hmacSecretFile: \"" + filepath.Join(dir, "missing") + "\"\n",
			`config auth.jwt.hmacSecretFile: cannot read the file "` + filepath.Join(dir, "missing") + `": no such file or directory`},
		{"auth:\n  jwt:\n    hmacSecretFile: \"" + short + "\"\n",
			`config auth.jwt.hmacSecretFile: the file "` + short + `": its content is set but shorter than 32 bytes`},
		{"auth:\n  jwt:\n    hmacSecretFile: \"" + empty + "\"\n", `config auth.jwt.hmacSecretFile: the file "` + empty + `" is empty`},
		{"auth:\n  jwt:\n    hmacSecretFile: 7\n", "config auth.jwt.hmacSecretFile: 7 is not a string"},
		{"auth:\n  jwt:\n    hmacSecret: \"" + secret + "\"\n    hmacSecretFile: \"" + short + "\"\n",
			"config auth.jwt.hmacSecretFile: is set and so is hmacSecret: give the secret in one of them"},
	} {
		_, err := load(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.yaml, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), secret[:20]) {
			t.Errorf("%q: the message shows the secret: %v", c.yaml, err)
		}
	}
	if os.Geteuid() != 0 { // root reads any file
		_, err := load(t, "auth:\n  jwt:\n    hmacSecretFile: \""+unreadable+"\"\n")
		if err == nil || !strings.Contains(err.Error(), "config auth.jwt.hmacSecretFile: cannot read the file") {
			t.Errorf("unreadable: %v", err)
		}
	}
}
