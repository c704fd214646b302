package cmd

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gogf/gf/v2/os/gcmd"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
)

// Key is `pulse key`: a new random ingest key, and the auth.ingestKeys entry that admits it.
var Key = gcmd.Command{
	Name:  "key",
	Usage: "pulse key [--name ingest] [--allow rowdata,alarm] [--businesses '*'] [--rate 0]",
	Brief: "print a new random ingest key and the auth.ingestKeys entry for config.yaml",
	Description: "Prints a new key (32 random bytes, URL-safe base64 without padding) on the line \"key: ...\", " +
		"then the entry to add under auth.ingestKeys: the config holds only the key's SHA-256, never the key. " +
		"Give the key to the ingest service, which sends it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"; " +
		"it cannot be printed again.",
	Examples:  "pulse key --name meter-collector --allow rowdata --businesses 'meter/*,pump/p-7' --rate 50",
	Strict:    true,
	Arguments: keyArguments,
	Func:      runKey,
}

// keyArguments are the options of `pulse key`; Default is what an absent option means.
var keyArguments = []gcmd.Argument{
	{Name: "name", Default: "ingest", Brief: "the key's name in logs and metrics"},
	{Name: "allow", Default: "rowdata,alarm", Brief: "what the key may publish: rowdata, alarm, notice (notices to users), comma-separated"},
	{Name: "businesses", Default: "*", Brief: "business patterns the key may publish for (T/I, T/*, *), comma-separated"},
	{Name: "rate", Default: "0", Brief: "items per second (burst 2 x rate: the largest batch the key may send); 0 = unlimited"},
}

func init() {
	if err := Main.AddCommand(&Key); err != nil {
		panic(err)
	}
}

func runKey(_ context.Context, p *gcmd.Parser) error {
	opt := func(name string) string {
		for _, a := range keyArguments {
			if a.Name == name {
				return strings.TrimSpace(p.GetOpt(name, a.Default).String())
			}
		}
		return ""
	}
	rate, err := strconv.ParseFloat(opt("rate"), 64)
	if err != nil {
		return fmt.Errorf("pulse key: --rate: want a number, got %q", opt("rate"))
	}
	return writeNewKey(os.Stdout, ingestkey.Spec{
		Name:       opt("name"),
		Allow:      splitList(opt("allow")),
		Businesses: splitList(opt("businesses")),
		Rate:       rate,
	})
}

// writeNewKey makes a key, completes s with its hash, checks s as the server will, and writes both.
func writeNewKey(w io.Writer, s ingestkey.Spec) error {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("pulse key: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(key))
	s.KeySHA256 = hex.EncodeToString(sum[:])
	if _, err := ingestkey.New([]ingestkey.Spec{s}); err != nil {
		return fmt.Errorf("pulse key: %w", err)
	}
	// JSON strings and arrays are YAML flow values, quoted safely whatever the name holds.
	_, err := fmt.Fprintf(w, "key: %s\n\n# under auth.ingestKeys in config.yaml:\n"+
		"- name: %s\n  keySha256: %q\n  allow: %s\n  businesses: %s\n  rate: %v\n",
		key, jsonText(s.Name), s.KeySHA256, jsonText(s.Allow), jsonText(s.Businesses), s.Rate)
	return err
}

func jsonText(v any) string {
	b, _ := json.Marshal(v) // strings and string slices always marshal
	return string(b)
}

// splitList splits a comma-separated option, dropping spaces and empty parts.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
