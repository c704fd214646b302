package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const notifyExample = `notify:
  publicUrl: "https://pulse.example.com/"
  linkKeys: ["MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="]
  ackLinkTTL: "12h"
  retryFor: "2h"
  outletDownAfter: "5m"
  retention: "48h"
  maxSilences: 50
  maxSilencesPerCreator: 5
  outlets:
    - name: "ops-webhook"
      type: "webhook"
      url: "https://hooks.example.com/pulse"
      secrets: ["whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="]
      rate: 5
    - name: "ops-mail"
      type: "email"
      smtp: "smtp://relay.example.com:587"
      username: "pulse"
      passwordFile: "%s"
      from: "Pulse <pulse@example.com>"
      to: ["oncall@example.com"]
  routes:
    - name: "meters-urgent"
      match: {levels: ["critical", "major"], businesses: ["meter/*"]}
      to: ["ops-webhook"]
      groupBy: ["businessType", "businessId"]
      groupWait: "30s"
      repeatInterval: "4h"
      resolved: true
      continue: true
      escalate:
        - name: "mail-after-10m"
          after: "10m"
          to: ["ops-mail"]
`

// TestNotifySectionIsRead: the contract's example reads into the notify section, a password from
// its file.
func TestNotifySectionIsRead(t *testing.T) {
	file := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(file, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := load(t, strings.Replace(notifyExample, "%s", file, 1))
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Notify
	if n.PublicURL != "https://pulse.example.com" || len(n.LinkKeys) != 1 || n.AckLinkTTL != 12*time.Hour ||
		n.RetryFor != 2*time.Hour || n.OutletDownAfter != 5*time.Minute || n.Retention != 48*time.Hour ||
		n.MaxSilences != 50 || n.MaxSilencesPerCreator != 5 {
		t.Fatalf("%+v", n)
	}
	if len(n.Outlets) != 2 || n.Outlets[0].Rate != 5 || n.Outlets[1].Password != "s3cret" || n.Outlets[1].To[0] != "oncall@example.com" {
		t.Fatalf("%+v", n.Outlets)
	}
	r := n.Routes[0]
	if r.Name != "meters-urgent" || len(r.Match.Levels) != 2 || r.Match.Businesses[0] != "meter/*" || r.GroupWait != 30*time.Second ||
		r.RepeatInterval != 4*time.Hour || !r.Resolved || !r.Continue || r.Escalate[0].Name != "mail-after-10m" ||
		r.Escalate[0].After != 10*time.Minute || r.Escalate[0].To[0] != "ops-mail" {
		t.Fatalf("%+v", r)
	}
	secrets := filepath.Join(t.TempDir(), "hook-secrets")
	if err := os.WriteFile(secrets, []byte("whsec_new\n\nwhsec_old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = load(t, "notify:\n  outlets:\n    - {name: a, type: webhook, url: \"https://h.example\", secretsFile: \""+secrets+"\"}\n")
	if err != nil || strings.Join(cfg.Notify.Outlets[0].Secrets, ",") != "whsec_new,whsec_old" {
		t.Fatalf("secretsFile: %+v %v", cfg.Notify.Outlets, err)
	}
	if cfg, err := load(t, "server:\n  address: \":0\"\n"); err != nil || cfg.Notify.RetryFor != 24*time.Hour || len(cfg.Notify.Routes) != 0 ||
		cfg.Notify.MaxSilences != 1000 || cfg.Notify.MaxSilencesPerCreator != 100 {
		t.Fatalf("defaults: %+v %v", cfg.Notify, err)
	}
}

// TestNotifyMistakesRefuseTheStart: an unknown outlet in a route, duplicate names, a bad duration
// or level stop the start naming the key.
func TestNotifyMistakesRefuseTheStart(t *testing.T) {
	outlet := "notify:\n  outlets:\n    - {name: a, type: webhook, url: \"https://h.example/x\"}\n"
	for _, c := range []struct{ yaml, want string }{
		{outlet + "  routes:\n    - {name: r, to: [b]}\n", `config notify.routes[0].to[0]: "b" is not the name of an outlet in notify.outlets`},
		{outlet + "  routes:\n    - {name: r, to: [a], escalate: [{name: s, after: 1m, to: [zz]}]}\n", `config notify.routes[0].escalate[0].to[0]: "zz" is not the name`},
		{outlet + "    - {name: a, type: email}\n", `config notify.outlets[1].name: "a" is the name of notify.outlets[0] too`},
		{outlet + "  routes:\n    - {name: r, to: [a]}\n    - {name: r, to: [a]}\n", `config notify.routes[1].name: "r" is the name of notify.routes[0] too`},
		{outlet + "  routes:\n    - {name: r, to: [a], escalate: [{name: s, after: 1m, to: [a]}, {name: s, after: 2m, to: [a]}]}\n", `config notify.routes[0].escalate[1].name: "s" is the name of step [0] too`},
		{outlet + "  routes:\n    - {name: r, to: [a], groupWait: 30}\n", `config notify.routes[0].groupWait: 30 has no unit`},
		{outlet + "  routes:\n    - {name: r, to: [a], repeatInterval: soon}\n", `config notify.routes[0].repeatInterval: "soon" is not a duration`},
		{outlet + "  routes:\n    - {name: r, to: [a], match: {levels: [urgent]}}\n", `config notify.routes[0].match.levels[0]: "urgent" is not a level`},
		{outlet + "  routes:\n    - {name: r, to: [a], match: {businesses: [\"meter\"]}}\n", `config notify.routes[0].match.businesses[0]: "meter" is not a business pattern`},
		{outlet + "  routes:\n    - {name: r, to: [a], groupBy: [colour]}\n", `config notify.routes[0].groupBy[0]: "colour" is not a field to group by`},
		{outlet + "  routes:\n    - {to: [a]}\n", `config notify.routes[0].name: is missing`},
		{outlet + "  routes:\n    - {name: r}\n", `config notify.routes[0].to: route "r" names no outlet`},
		{outlet + "  routes:\n    - {name: r, to: [a], escalate: [{name: s, to: [a]}]}\n", `config notify.routes[0].escalate[0].after: is missing`},
		{"notify:\n  outlets:\n    - {name: a, type: pager}\n", `config notify.outlets[0].type: "pager" is not an outlet type`},
		{"notify:\n  outlets:\n    - {type: webhook}\n", `config notify.outlets[0].name: is missing`},
		{"notify:\n  outlets:\n    - {name: a, type: webhook, url: \"ftp://h/secret-path\"}\n", `config notify.outlets[0].url: is not an http or https URL`},
		{"notify:\n  retryFor: \"1s\"\n", `config notify.retryFor: 1s is out of range`},
		{"notify:\n  maxSilences: 0\n", `config notify.maxSilences: 0 is out of range`},
		{"notify:\n  maxSilencesPerCreator: 2.5\n", `config notify.maxSilencesPerCreator: 2.5 is not a whole number`},
		{"notify:\n  linkKeys: [\"c2hvcnQ=\"]\n", `config notify.linkKeys[0]: is not a base64 key of at least 32 bytes`},
		{"notify:\n  publicUrl: \"https://p.example\"\n", `config notify.linkKeys: notify.publicUrl turns ack links on`},
		{"notify:\n  outlets:\n    - {name: a, type: email, password: x, passwordFile: /nonexistent}\n", `config notify.outlets[0].passwordFile: is set and so is password`},
	} {
		_, err := load(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.yaml, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-path") {
			t.Errorf("the message shows the URL's path: %v", err)
		}
	}
}

// TestNotifyLinkKeysFromFile: notify.linkKeysFile holds the ack links' keys, one a line (a
// rotation: the first signs); setting linkKeys too, or a bad key in the file, refuses the start
// without showing a key.
func TestNotifyLinkKeysFromFile(t *testing.T) {
	k1, k2 := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ="
	file := filepath.Join(t.TempDir(), "link-keys")
	if err := os.WriteFile(file, []byte(k1+"\n"+k2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := load(t, "notify:\n  publicUrl: \"https://pulse.example.com\"\n  linkKeysFile: \""+file+"\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Notify.LinkKeys; len(got) != 2 || got[0] != k1 || got[1] != k2 {
		t.Fatalf("link keys %v", got)
	}
	if _, err := load(t, "notify:\n  linkKeys: [\""+k1+"\"]\n  linkKeysFile: \""+file+"\"\n"); err == nil || !strings.Contains(err.Error(), "linkKeys") {
		t.Errorf("both: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("short-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, "notify:\n  linkKeysFile: \""+bad+"\"\n"); err == nil || strings.Contains(err.Error(), "short-key") {
		t.Errorf("a bad key: %v", err)
	}
}

// TestWebPushOutletKeys: the contract's webpush outlet reads into its fields, the private key
// from vapidPrivateKeyFile too.
func TestWebPushOutletKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "vapid")
	if err := os.WriteFile(file, []byte("priv-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := load(t, `notify:
  outlets:
    - name: "browsers"
      type: "webpush"
      vapidPublicKey: "pub"
      vapidPrivateKeyFile: "`+file+`"
      subject: "mailto:ops@example.com"
      endpointHosts: ["*.push.apple.com", "fcm.googleapis.com"]
      allowHttpEndpoints: true
`)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Notify.Outlets[0]
	if o.VAPIDPublicKey != "pub" || o.VAPIDPrivateKey != "priv-from-file" || o.Subject != "mailto:ops@example.com" ||
		strings.Join(o.EndpointHosts, ",") != "*.push.apple.com,fcm.googleapis.com" || !o.AllowHTTPEndpoints {
		t.Fatalf("%+v", o)
	}
	if _, err := load(t, "notify:\n  outlets:\n    - {name: b, type: webpush, allowHttpEndpoints: \"yes\"}\n"); err == nil || !strings.Contains(err.Error(), "allowHttpEndpoints") {
		t.Fatalf("a string for allowHttpEndpoints: %v", err)
	}
}
