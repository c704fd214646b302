package config_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// secret is a valid auth.jwt.hmacSecret; no message may show it.
const secret = "0123456789abcdef0123456789abcdef-secret"

const hash64 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

// pemOf encodes key as PEM of the given block type.
func pemOf(t *testing.T, typ string, der []byte) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func publicPEM(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf(t, "PUBLIC KEY", der)
}

// yamlBlock is text as an indented YAML block scalar.
func yamlBlock(text, indent string) string {
	return "|\n" + indent + strings.ReplaceAll(strings.TrimSpace(text), "\n", "\n"+indent)
}

// TestAuthOffByDefault: without an auth section, auth is off and the start log says so.
func TestAuthOffByDefault(t *testing.T) {
	cfg, report, err := loadReport(t, "server:\n  address: \":9000\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.Enabled || cfg.Auth.JWT.Leeway != 30*time.Second || len(cfg.Auth.IngestKeys) != 0 {
		t.Fatalf("%+v", cfg.Auth)
	}
	if !slices.Contains(report.Warnings, "auth is off: anyone who can reach this server can read and acknowledge everything") {
		t.Fatalf("warnings %q", report.Warnings)
	}
}

// TestAuthKeysAreRead: every key of the auth section, public keys as files and as PEM text.
func TestAuthKeysAreRead(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaFile := filepath.Join(t.TempDir(), "rsa.pem")
	if err := os.WriteFile(rsaFile, []byte(publicPEM(t, &rsaKey.PublicKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	pkcs1 := pemOf(t, "RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey))
	cfg, report, err := loadReport(t, fmt.Sprintf(`auth:
  enabled: true
  jwt:
    hmacSecret: %q
    publicKeys:
      - %q
      - %s
      - %s
      - %s
    jwksUrl: "https://idp.example/.well-known/jwks.json"
    issuer: "https://idp.example/"
    audience: "pulse"
    leeway: "10m"
  ingestKeys:
    - name: "meter-collector"
      keySha256: %q
      allow: ["rowdata", "alarm"]
      businesses: ["meter/*", "pump/p-7", "*"]
      rate: 2.5
    - name: "other"
      keySha256: %q
      allow: ["alarm"]
      businesses: ["*"]
`, secret, rsaFile, yamlBlock(publicPEM(t, &ecKey.PublicKey), "        "), yamlBlock(publicPEM(t, edPub), "        "),
		yamlBlock(pkcs1, "        "), hash64, strings.ToLower(hash64)))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Auth
	if !a.Enabled || a.JWT.HMACSecret != secret || len(a.JWT.PublicKeys) != 4 || a.JWT.PublicKeys[0] != rsaFile ||
		a.JWT.JWKSURL != "https://idp.example/.well-known/jwks.json" || a.JWT.Issuer != "https://idp.example/" ||
		a.JWT.Audience != "pulse" || a.JWT.Leeway != 10*time.Minute {
		t.Fatalf("jwt: %+v", a.JWT)
	}
	want := []config.IngestKey{
		{Name: "meter-collector", KeySHA256: strings.ToLower(hash64), Allow: []string{"rowdata", "alarm"},
			Businesses: []string{"meter/*", "pump/p-7", "*"}, Rate: 2.5},
		{Name: "other", KeySHA256: strings.ToLower(hash64), Allow: []string{"alarm"}, Businesses: []string{"*"}},
	}
	if fmt.Sprint(a.IngestKeys) != fmt.Sprint(want) {
		t.Fatalf("ingest keys:\n got  %+v\n want %+v", a.IngestKeys, want)
	}
	if len(report.Warnings) != 0 {
		t.Fatalf("warnings with auth on: %q", report.Warnings)
	}
	for i, entry := range a.JWT.PublicKeys {
		if _, err := config.PublicKey(entry); err != nil {
			t.Errorf("publicKeys[%d]: %v", i, err)
		}
	}
	// A leeway of 0 and a JWKS URL alone are enough.
	if cfg, err = load(t, "auth:\n  enabled: true\n  jwt:\n    jwksUrl: \"http://127.0.0.1:9/jwks\"\n    leeway: 0\n"); err != nil || cfg.Auth.JWT.Leeway != 0 {
		t.Fatalf("%+v %v", cfg.Auth, err)
	}
}

// TestAuthValuesThatCannotWorkAreRefused: each refusal names the key and says why, and no message
// shows a secret or a key.
func TestAuthValuesThatCannotWorkAreRefused(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	privPEM := pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(priv))
	key := func(fields string) string { // one ingest key, with fields replacing the defaults
		k := map[string]string{"name": `"a"`, "keySha256": `"` + hash64 + `"`, "allow": `["rowdata"]`, "businesses": `["*"]`}
		var b strings.Builder
		b.WriteString("auth:\n  ingestKeys:\n")
		prefix := "    - "
		for _, line := range strings.Split(fields, "\n") {
			name, value, _ := strings.Cut(line, ": ")
			k[name] = value
		}
		for _, name := range []string{"name", "keySha256", "allow", "businesses", "rate"} {
			if v, ok := k[name]; ok && v != "-" {
				fmt.Fprintf(&b, "%s%s: %s\n", prefix, name, v)
				prefix = "      "
			}
		}
		return b.String()
	}
	for _, c := range []struct{ yaml, want string }{
		{"auth: true\n", `config auth: must be a section of keys`},
		{"auth:\n  enabled: \"yes\"\n", `config auth.enabled: "yes" is not true or false`},
		{"auth:\n  enabled: true\n", "config auth.jwt: auth.enabled needs a key source in auth.jwt: hmacSecret, publicKeys or jwksUrl"},
		{"auth:\n  enabled: true\n  jwt:\n    issuer: x\n", "config auth.jwt: auth.enabled needs a key source in auth.jwt"},
		{"auth:\n  jwt: []\n", `config auth.jwt: must be a section of keys, such as "jwt:\n  key: value"`},
		{"auth:\n  jwt:\n    hmacSecret: \"" + secret[:31] + "\"\n", "config auth.jwt.hmacSecret: is set but shorter than 32 bytes"},
		{"auth:\n  jwt:\n    hmacSecret: 1234567890123456789012345678901234567890\n", "config auth.jwt.hmacSecret: is not a string"},
		{"auth:\n  jwt:\n    publicKeys: \"" + secret + "\"\n", "config auth.jwt.publicKeys: is not a list"},
		{"auth:\n  jwt:\n    publicKeys: [\"" + secret + "\"]\n", "config auth.jwt.publicKeys[0]: is neither PEM text nor the path of a readable file"},
		{"auth:\n  jwt:\n    publicKeys: [\"\", 5]\n", "config auth.jwt.publicKeys[0]: is empty"},
		{"auth:\n  jwt:\n    publicKeys:\n      - " + yamlBlock(privPEM, "        ") + "\n", "config auth.jwt.publicKeys[0]: the PEM text holds a private key"},
		{"auth:\n  jwt:\n    publicKeys:\n      - " + yamlBlock(publicPEM(t, &small.PublicKey), "        ") + "\n", "holds an RSA key of 1024 bits: it must have at least 2048"},
		{"auth:\n  jwt:\n    publicKeys:\n      - " + yamlBlock("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "        ") + "\n", "config auth.jwt.publicKeys[0]: the PEM text does not parse as a public key"},
		{"auth:\n  jwt:\n    publicKeys: [\"-----BEGIN nothing\"]\n", "config auth.jwt.publicKeys[0]: the PEM text holds no PEM block"},
		{"auth:\n  jwt:\n    jwksUrl: \"ftp://idp.example/jwks\"\n", "config auth.jwt.jwksUrl: is not an http or https URL"},
		{"auth:\n  jwt:\n    jwksUrl: \"https://\"\n", "config auth.jwt.jwksUrl: is not an http or https URL"},
		{"auth:\n  jwt:\n    leeway: \"11m\"\n", "config auth.jwt.leeway: 11m0s is out of range: it must be between 0s and 10m0s"},
		{"auth:\n  jwt:\n    leeway: 30\n", "config auth.jwt.leeway: 30 has no unit"},
		{"auth:\n  jwt:\n    issuer: [x]\n", "config auth.jwt.issuer: [x] is not a string"},
		{"auth:\n  ingestKeys: {name: a}\n", "config auth.ingestKeys: is not a list"},
		{"auth:\n  ingestKeys: [\"" + secret + "\"]\n", `config auth.ingestKeys[0]: must be a section of keys`},
		{key("keySha256: \"abc\""), "config auth.ingestKeys[0].keySha256: must be 64 hex characters"},
		{key("keySha256: \"" + hash64[:63] + "g\""), "config auth.ingestKeys[0].keySha256: must be 64 hex characters"},
		{key("keySha256: \"" + secret + "\""), "config auth.ingestKeys[0].keySha256: must be 64 hex characters"},
		{key("keySha256: -"), "config auth.ingestKeys[0].keySha256: is missing"},
		{key("name: -"), "config auth.ingestKeys[0].name: is missing"},
		{key("name: \"\""), "config auth.ingestKeys[0].name: must not be empty"},
		{key("allow: -"), "config auth.ingestKeys[0].allow: is missing"},
		{key("allow: []"), `config auth.ingestKeys[0].allow: is empty: it must list one or more of "rowdata", "alarm" and "notice"`},
		{key("allow: [rowdata, write]"), `config auth.ingestKeys[0].allow: has "write"`},
		{key("allow: rowdata"), `config auth.ingestKeys[0].allow: "rowdata" is not a list`},
		{key("businesses: -"), "config auth.ingestKeys[0].businesses: is missing"},
		{key("businesses: []"), "config auth.ingestKeys[0].businesses: is empty"},
		{key("businesses: [\"*\", meter]"), `config auth.ingestKeys[0].businesses[1]: "meter" is not a business pattern`},
		{key("businesses: [\"meter/a/b\"]"), `config auth.ingestKeys[0].businesses[0]: "meter/a/b" is not a business pattern`},
		{key("rate: -1"), "config auth.ingestKeys[0].rate: -1 is not a number of items per second >= 0"},
		{key("rate: \"fast\""), `config auth.ingestKeys[0].rate: "fast" is not a number`},
		{key("rate: .inf"), `config auth.ingestKeys[0].rate: +Inf is not a number`},
		{key("") + strings.TrimPrefix(key("keySha256: \"abc\""), "auth:\n  ingestKeys:\n"), "config auth.ingestKeys[1].keySha256: must be 64 hex characters"},
		{key("") + strings.TrimPrefix(key(""), "auth:\n  ingestKeys:\n"), `config auth.ingestKeys[1].name: "a" is the name of auth.ingestKeys[0] too`},
	} {
		_, err := load(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.yaml, err, c.want)
			continue
		}
		for _, hidden := range []string{secret[:20], "MII", "AAAA"} {
			if strings.Contains(err.Error(), hidden) {
				t.Errorf("%q: the message shows a secret or key: %v", c.yaml, err)
			}
		}
	}
}

// TestAuthCheck: a Config built in code is held to the same rules that need more than one key.
func TestAuthCheck(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.Enabled = true
	if err := cfg.Check(); err == nil || !strings.Contains(err.Error(), "auth.jwt: auth.enabled needs a key source") {
		t.Fatal(err)
	}
	cfg.Auth.JWT.HMACSecret = "short"
	if err := cfg.Check(); err == nil || !strings.Contains(err.Error(), "auth.jwt.hmacSecret: is set but shorter than 32 bytes") ||
		strings.Contains(err.Error(), "short\"") {
		t.Fatal(err)
	}
	cfg.Auth.JWT.HMACSecret = secret
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
}
