package cmd_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/encoding/gjson"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/config"
)

// TestKeyCommand runs `pulse key`: the printed keySha256 is the SHA-256 of the printed key, and
// the printed entry, read as the config reads YAML into config.IngestKey, is accepted by
// ingestkey.New and admits the key with the scope asked for.
func TestKeyCommand(t *testing.T) {
	bin := serverBinary(t)
	out, err := exec.Command(bin, "key", "--name", "meter-collector", "--allow", "rowdata",
		"--businesses", "meter/*, pump/p-7", "--rate", "2.5").Output()
	if err != nil {
		t.Fatalf("pulse key: %v\n%s", err, out)
	}
	first, snippet, _ := strings.Cut(string(out), "\n")
	key, ok := strings.CutPrefix(first, "key: ")
	if !ok || len(key) != 43 { // 32 bytes, base64 without padding
		t.Fatalf("first line %q is not \"key: <43 characters>\"", first)
	}

	// The snippet goes under auth.ingestKeys as printed, indented.
	yaml := "auth:\n  ingestKeys:\n" + indent(snippet, "    ")
	j, err := gjson.LoadContentType(gjson.ContentTypeYaml, []byte(yaml))
	if err != nil {
		t.Fatalf("the printed entry is not YAML: %v\n%s", err, yaml)
	}
	var auth config.Auth
	if err := j.Get("auth").Scan(&auth); err != nil || len(auth.IngestKeys) != 1 {
		t.Fatalf("auth section: %+v, %v\n%s", auth, err, yaml)
	}
	got := auth.IngestKeys[0]
	sum := sha256.Sum256([]byte(key))
	if got.KeySHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("keySha256 %q is not the SHA-256 of the printed key", got.KeySHA256)
	}
	if got.Name != "meter-collector" || got.Rate != 2.5 || strings.Join(got.Allow, ",") != "rowdata" ||
		strings.Join(got.Businesses, ",") != "meter/*,pump/p-7" {
		t.Fatalf("entry %+v", got)
	}

	keys, err := ingestkey.New([]ingestkey.Spec{ingestkey.Spec(got)}) // the wiring's conversion
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Authenticate(key)
	if err != nil {
		t.Fatal(err)
	}
	if k.Name() != "meter-collector" || !k.Allows(ingestkey.KindRowData, "pump", "p-7") ||
		k.Allows(ingestkey.KindAlarm, "meter", "m-1") {
		t.Fatalf("key %v does not have the scope asked for", k)
	}
	if strings.Count(string(out), key) != 1 {
		t.Error("the key is printed more than once")
	}

	// Bad options are refused with a message, and nothing is printed on stdout.
	for _, args := range [][]string{{"--businesses", "meter"}, {"--allow", "alarms"}, {"--rate", "x"}, {"--rate", "-1"}} {
		cmd := exec.Command(bin, append([]string{"key"}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err == nil || len(out) != 0 || stderr.Len() == 0 {
			t.Errorf("pulse key %v: %v, stdout %q, stderr %q", args, err, out, stderr.String())
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
