package config

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// A field reads one key's raw value, as the YAML, JSON or TOML decoder produced it, into its place
// in Config. It refuses a value of the wrong kind or outside what can work; the message it returns
// names no key (readSections adds it).
type field func(raw any) error

// fields binds the keys of Pulse's own sections to c. The bounds are what can work in production;
// a Config built in code (tests with millisecond timers) is held only to Check.
func (c *Config) fields(report *Report) map[string]map[string]field {
	return map[string]map[string]field{
		"ws": {
			"allowedOrigins": origins(&c.WS.AllowedOrigins),
			// 512 B: a console's ack carrying the longest alarmId and user (128 B each) must fit.
			// 16 MiB: a connection holds a whole inbound frame in memory while reading it.
			"maxMessageSize": whole(&c.WS.MaxMessageSize, 512, 16<<20, "bytes"),
			// 1s: pinging idle connections more often only costs CPU.
			"pingInterval": duration(&c.WS.PingInterval, time.Second, 0),
			// Like pingInterval; Check also wants it longer than pingInterval.
			"pongTimeout": duration(&c.WS.PongTimeout, time.Second, 0),
			// 100ms: below that, a healthy client on a slow link is dropped mid-frame.
			"writeTimeout": duration(&c.WS.WriteTimeout, 100*time.Millisecond, 0),
			// 65536: each connection may hold this many messages; more is memory, not delivery.
			"sendQueue": whole(&c.WS.SendQueue, 1, 1<<16, "messages"),
			// 0 is automatic; the open-file limit bounds the rest (resolveConnections).
			"maxConnections": whole(&c.WS.MaxConnections, 0, math.MaxInt32, "connections (0 = automatic)"),
			// 1s: longer delays every frame a dashboard sees.
			"writeDelay":  duration(&c.WS.WriteDelay, 0, time.Second),
			"inboundRate": rate(&c.WS.InboundRate),
			"compression": boolean(&c.WS.Compression),
		},
		"ingest": {
			// 1 KiB holds a small batch; 64 MiB bounds what one request buffers in memory.
			"maxBodySize": whole(&c.Ingest.MaxBodySize, 1<<10, 64<<20, "bytes"),
			// 1s: a retry comes later than that. 30 days: alarm keys are rows kept that long.
			"idempotencyWindow": duration(&c.Ingest.IdempotencyWindow, time.Second, 30*24*time.Hour),
			"mqtt":              section(report, "ingest.mqtt", c.mqttFields(report)),
			"nats":              section(report, "ingest.nats", c.natsFields(report)),
		},
		"bus": {
			"type":    text(&c.Bus.Type),
			"channel": text(&c.Bus.Channel),
		},
		"rowdata": {
			// 1000 items replayed to every new dashboard of a key is already a large first frame.
			"snapshotSize": whole(&c.RowData.SnapshotSize, 0, 1000, "items"),
			// 1s: a shorter history is no chart; 24h: a day, all in memory, is already a lot.
			"historyWindow": duration(&c.RowData.HistoryWindow, time.Second, 24*time.Hour),
			// 100,000: a day of an item a second; the memory bound decides what is really kept.
			"historyPoints": whole(&c.RowData.HistoryPoints, 0, 100_000, "items"),
			"units":         units(&c.RowData.Units),
			// 1 MiB holds a few thousand small items; 1 TiB is more than a node has.
			"memory":       whole(&c.RowData.Memory, 1<<20, 1<<40, "bytes"),
			"slowPolicy":   text(&c.RowData.SlowPolicy), // Check names the two policies
			"snapshotKeys": retired(report, "rowdata.snapshotKeys", "row-data memory is bounded in bytes by rowdata.memory, shared fairly between business types"),
		},
		"alarm": {
			"retention": duration(&c.Alarm.Retention, 0, 0), // 0 keeps everything
			// 1s: the store purges at most this often anyway.
			"purgeInterval": duration(&c.Alarm.PurgeInterval, time.Second, 0),
		},
		"auth": {
			"enabled":    boolean(&c.Auth.Enabled),
			"jwt":        section(report, "auth.jwt", c.jwtFields()),
			"ingestKeys": ingestKeys(report, &c.Auth.IngestKeys),
			"userRate":   userRate(&c.Auth.UserRate),
		},
		"notify": c.notifyFields(report),
		"log": {
			"format": text(&c.Log.Format), // Check names the two formats
			"access": boolean(&c.Log.Access),
		},
	}
}

// jwtFields binds the keys of auth.jwt. No message echoes a secret or a key. The secret may be
// given in a file instead (hmacSecretFile).
func (c *Config) jwtFields() map[string]field {
	j := &c.Auth.JWT
	return withSecretFiles(map[string]field{
		"hmacSecret": hmacSecret(&j.HMACSecret),
		"publicKeys": publicKeys(&j.PublicKeys),
		"jwksUrl":    jwksURL(&j.JWKSURL),
		"issuer":     text(&j.Issuer),
		"audience":   text(&j.Audience),
		// 10m: a token that expired longer ago than that is not clock skew.
		"leeway": duration(&j.Leeway, 0, 10*time.Minute),
	}, "hmacSecret")
}

// readSections reads Pulse's sections from GoFrame's configuration into c. Unknown keys are not
// refused: each one gets a warning in the report.
func (c *Config) readSections(ctx context.Context, report *Report) error {
	sections := c.fields(report)
	for _, name := range sortedKeys(sections) {
		v, err := g.Cfg().Get(ctx, name)
		if err != nil {
			return gerror.Wrapf(err, "reading config section %q", name)
		}
		if v.IsNil() {
			continue
		}
		if err := section(report, name, sections[name])(v.Val()); err != nil {
			path := name
			for inner := (keyError{}); errors.As(err, &inner); err = inner.err {
				path += inner.key // the key inside the section, a nested section or a list
			}
			return invalid(path, "%v", err)
		}
	}
	return nil
}

// keyError is a refusal of the value at key inside the value being read: ".hmacSecret" in a
// section, "[1]" in a list. readSections joins the keys into the full name.
type keyError struct {
	key string
	err error
}

func (e keyError) Error() string { return e.key + ": " + e.err.Error() }

// section reads a section of keys (name is its full name, for warnings) with fields. An unknown
// key gets a warning in the report, a key without a value keeps its default.
func section(report *Report, name string, fields map[string]field) field {
	return func(raw any) error {
		keys, ok := raw.(map[string]any)
		if !ok {
			short := name[strings.LastIndex(name, ".")+1:]
			return fmt.Errorf("must be a section of keys, such as \"%s:\\n  key: value\"", short)
		}
		for _, key := range sortedKeys(keys) {
			read, known := fields[key]
			if !known {
				report.Warnings = append(report.Warnings, unknownKey(name, key, fields))
				continue
			}
			if keys[key] == nil {
				continue // "key:" with no value: the default
			}
			if err := read(keys[key]); err != nil {
				return keyError{"." + key, err}
			}
		}
		return nil
	}
}

// invalid is a refusal of the configuration, naming the key.
func invalid(key, format string, args ...any) error {
	return gerror.NewCodef(consts.CodeInvalidInput, "config %s: %s", key, fmt.Sprintf(format, args...))
}

// unknownKey is the warning for section.key, with the known key it was probably meant to be.
func unknownKey(section, key string, known map[string]field) string {
	msg := fmt.Sprintf("config: unknown key %s.%s (ignored)", section, key)
	best, bestDist := "", 3 // suggest only a name within two edits
	for _, k := range sortedKeys(known) {
		if d := editDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		msg += fmt.Sprintf("; did you mean %s.%s?", section, best)
	}
	return msg
}

// duration reads a string with a unit ("25s", "500ms") within [lo, hi]; hi 0 is no upper bound. A
// bare number is refused, as "pingInterval: 25" would otherwise be 25ns; only 0 needs no unit.
func duration(dst *time.Duration, lo, hi time.Duration) field {
	return func(raw any) error {
		var d time.Duration
		switch v := raw.(type) {
		case string:
			var err error
			if d, err = time.ParseDuration(strings.TrimSpace(v)); err != nil {
				if _, isNumber := strconv.ParseFloat(strings.TrimSpace(v), 64); isNumber == nil {
					return fmt.Errorf("%q has no unit: add one, e.g. \"%ss\" (units: ms, s, m, h)", v, strings.TrimSpace(v))
				}
				return fmt.Errorf("%q is not a duration: write one such as \"25s\", \"500ms\" or \"1h\"", v)
			}
		default:
			n, ok := number(raw)
			if !ok {
				return fmt.Errorf("%v is not a duration: write one such as \"25s\", \"500ms\" or \"1h\"", raw)
			}
			if n != 0 {
				return fmt.Errorf("%v has no unit: add one, e.g. \"%vs\" (units: ms, s, m, h)", raw, raw)
			}
		}
		switch {
		case d < 0:
			return fmt.Errorf("%v is negative", d)
		case hi > 0 && (d < lo || d > hi):
			return fmt.Errorf("%v is out of range: it must be between %v and %v", d, lo, hi)
		case d < lo:
			return fmt.Errorf("%v is too short: it must be at least %v", d, lo)
		}
		*dst = d
		return nil
	}
}

// whole reads a whole number within [lo, hi]; unit says what it counts.
func whole[T int | int64](dst *T, lo, hi T, unit string) field {
	return func(raw any) error {
		n, ok := number(raw)
		if !ok || n != math.Trunc(n) {
			return fmt.Errorf("%s is not a whole number: it must be between %d and %d %s", show(raw), lo, hi, unit)
		}
		if n < float64(lo) || n > float64(hi) {
			return fmt.Errorf("%s is out of range: it must be between %d and %d %s", show(raw), lo, hi, unit)
		}
		*dst = T(n)
		return nil
	}
}

// rate reads ws.inboundRate: 0 (no limit), or enough frames per second for a burst (twice the
// rate) of at least one frame.
func rate(dst *float64) field {
	return func(raw any) error {
		n, ok := number(raw)
		switch {
		case !ok || math.IsNaN(n) || math.IsInf(n, 0):
			return fmt.Errorf("%s is not a number: it must be 0 (no limit) or at least 0.5 frames per second", show(raw))
		case n != 0 && n < 0.5:
			return fmt.Errorf("%s is out of range: it must be 0 (no limit) or at least 0.5 frames per second (a burst of one frame)", show(raw))
		}
		*dst = n
		return nil
	}
}

// retired reads a key that no longer does anything, whatever its value, and says so in the report
// with what replaced it: the start goes on, as it did before the key was retired.
func retired(report *Report, key, instead string) field {
	return func(any) error {
		report.Warnings = append(report.Warnings, fmt.Sprintf("config: %s is retired (ignored): %s", key, instead))
		return nil
	}
}

// units reads rowdata.units: a field name -> unit map, each unit a short string.
func units(dst *map[string]string) field {
	return func(raw any) error {
		m, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not a map: write field: unit pairs, e.g. {voltage: \"V\", current: \"A\"}", show(raw))
		}
		out := make(map[string]string, len(m))
		for _, name := range sortedKeys(m) {
			unit, ok := m[name].(string)
			switch {
			case name == "":
				return errors.New("has an empty field name")
			case !ok:
				return keyError{"." + name, fmt.Errorf("%s is not a string", show(m[name]))}
			case len(unit) > maxUnit:
				return keyError{"." + name, fmt.Errorf("%q is longer than %d bytes", unit, maxUnit)}
			}
			out[name] = unit
		}
		*dst = out
		return nil
	}
}

// maxUnit is the longest unit rowdata.units takes: a chart's axis label, not a description.
const maxUnit = 32

// text reads a string.
func text(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%v is not a string", raw)
		}
		*dst = s
		return nil
	}
}

// origins reads ws.allowedOrigins: ["*"] alone, or origins exactly as browsers send them,
// "scheme://host[:port]" with scheme http or https. Anything else would never match an Origin.
func origins(dst *[]string) field {
	return func(raw any) error {
		list, ok := raw.([]any)
		if !ok {
			return fmt.Errorf("%v is not a list: write [] (same origin), [\"*\"] (any) or [\"https://host[:port]\", ...]", raw)
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, ok := item.(string)
			if !ok {
				return fmt.Errorf("entry %v is not a string", item)
			}
			if s == "*" && len(list) > 1 {
				return fmt.Errorf("\"*\" allows every origin and must be the only entry")
			}
			if s != "*" {
				if err := checkOrigin(s); err != nil {
					return fmt.Errorf("entry %q %v", s, err)
				}
			}
			out = append(out, s)
		}
		*dst = out
		return nil
	}
}

// checkOrigin accepts an origin as a browser sends it in the Origin header, which the door
// compares byte for byte (ignoring case and a trailing "/"): scheme http or https, an ASCII host
// (IDNs as punycode), and a port only when it is not the scheme's default.
func checkOrigin(s string) error {
	const form = "is not an origin: write \"https://host\" or \"http://host:port\" (no path, query or user)"
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" || strings.HasSuffix(u.Host, ":") || u.Opaque != "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("%s", form)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("has scheme %q: it must be http or https", u.Scheme)
	}
	for _, r := range u.Host {
		if r >= 0x80 {
			return fmt.Errorf("has a non-ASCII host: write it as browsers send it, in punycode (xn--...)")
		}
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		switch {
		case err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p:
			return fmt.Errorf("has port %q: it must be between 1 and 65535", p)
		case (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443):
			return fmt.Errorf("has the default port %d, which browsers leave out: write %s://%s", n, u.Scheme, u.Hostname())
		}
	}
	// Anything else (a path, a fragment, escapes, an empty port) makes the entry differ from
	// every Origin header.
	if strings.ToLower(strings.TrimSuffix(s, "/")) != u.Scheme+"://"+strings.ToLower(u.Host) {
		return fmt.Errorf("%s", form)
	}
	return nil
}

// number is raw as a float64 when it is a number, or a string holding one.
func number(raw any) (float64, bool) {
	switch v := raw.(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	case json.Number:
		n, err := v.Float64()
		return n, err == nil
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return n, err == nil
	}
	return 0, false
}

// show prints a raw value for a message: strings quoted, so that "" and " " are visible.
func show(raw any) string {
	if s, ok := raw.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(raw)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// editDistance is the Levenshtein distance between a and b (bytes): how many single-character
// edits turn one into the other.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// AuthOff is the start log's warning when auth.enabled is false.
const AuthOff = "auth is off: anyone who can reach this server can read and acknowledge everything"

// MinHMACSecret is the shortest auth.jwt.hmacSecret, in bytes: HS256's key should be as long as
// its hash (RFC 7518, 3.2), or the secret can be guessed offline from any one token.
const MinHMACSecret = 32

// boolean reads true or false.
func boolean(dst *bool) field {
	return func(raw any) error {
		b, ok := raw.(bool)
		if !ok {
			return fmt.Errorf("%s is not true or false", show(raw))
		}
		*dst = b
		return nil
	}
}

// hmacSecret reads auth.jwt.hmacSecret. Its messages never show the value.
func hmacSecret(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		switch {
		case !ok:
			return errors.New("is not a string (write the secret in quotes)")
		case s != "" && len(s) < MinHMACSecret:
			return fmt.Errorf("is set but shorter than %d bytes: HS256 needs a secret at least as long as its hash", MinHMACSecret)
		}
		*dst = s
		return nil
	}
}

// publicKeys reads auth.jwt.publicKeys: each entry PEM text or the path of a PEM file holding an
// RSA, ECDSA or Ed25519 public key (or a certificate), read now so that a bad one stops the start.
func publicKeys(dst *[]string) field {
	return func(raw any) error {
		list, ok := raw.([]any)
		if !ok {
			return errors.New("is not a list: write [\"/path/to/key.pem\", ...] or PEM text entries")
		}
		out := make([]string, 0, len(list))
		for i, item := range list {
			s, ok := item.(string)
			if !ok {
				return keyError{fmt.Sprintf("[%d]", i), errors.New("is not a string")}
			}
			if _, err := PublicKey(s); err != nil {
				return keyError{fmt.Sprintf("[%d]", i), err}
			}
			out = append(out, s)
		}
		*dst = out
		return nil
	}
}

// PublicKey reads one entry of auth.jwt.publicKeys: PEM text, or the path of a PEM file. The key
// is an *rsa.PublicKey, an *ecdsa.PublicKey (P-256, P-384 or P-521) or an ed25519.PublicKey. Its
// errors show neither the key nor the file's content, only the path.
func PublicKey(entry string) (crypto.PublicKey, error) {
	data, from := []byte(entry), "the PEM text"
	if !strings.Contains(entry, "-----BEGIN") {
		if strings.TrimSpace(entry) == "" {
			return nil, errors.New("is empty: write PEM text or the path of a PEM file")
		}
		var err error
		if data, err = os.ReadFile(entry); err != nil {
			// Not echoed: it may be a secret pasted into the wrong key.
			return nil, errors.New("is neither PEM text nor the path of a readable file")
		}
		from = "the file " + strconv.Quote(entry)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM block (-----BEGIN PUBLIC KEY-----)", from)
	}
	var key any
	var err error
	switch {
	case block.Type == "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case block.Type == "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case block.Type == "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	case strings.Contains(block.Type, "PRIVATE KEY"):
		return nil, fmt.Errorf("%s holds a private key: give Pulse only the public key (openssl pkey -pubout)", from)
	default:
		return nil, fmt.Errorf("%s holds a %q block: it must be a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", from, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s does not parse as a public key", from)
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("%s holds an RSA key of %d bits: it must have at least 2048", from, k.N.BitLen())
		}
		return k, nil
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return k, nil
	}
	return nil, fmt.Errorf("%s holds a %T: it must be an RSA, ECDSA or Ed25519 key", from, key)
}

// jwksURL reads auth.jwt.jwksUrl: "" or an http(s) URL with a host.
func jwksURL(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", show(raw))
		}
		if s != "" {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("is not an http or https URL, such as \"https://idp.example/.well-known/jwks.json\"")
			}
		}
		*dst = s
		return nil
	}
}

// ingestKeys reads auth.ingestKeys: a list of keys with unique names, each complete.
func ingestKeys(report *Report, dst *[]IngestKey) field {
	return func(raw any) error {
		list, ok := raw.([]any)
		if !ok {
			return errors.New("is not a list: write entries \"- name: ..., keySha256: ..., allow: [...], businesses: [...]\"")
		}
		out := make([]IngestKey, len(list))
		names := make(map[string]int, len(list))
		for i, item := range list {
			at, k := fmt.Sprintf("[%d]", i), &out[i]
			if err := section(report, "auth.ingestKeys"+at, ingestKeyFields(k))(item); err != nil {
				return keyError{at, err}
			}
			if err := missingIngestKeyField(*k); err != nil {
				return keyError{at, err}
			}
			if j, dup := names[k.Name]; dup {
				return keyError{at + ".name", fmt.Errorf("%q is the name of auth.ingestKeys[%d] too: names must be unique, as the logs tell keys apart by them", k.Name, j)}
			}
			names[k.Name] = i
		}
		*dst = out
		return nil
	}
}

// ingestKeyFields binds the keys of one entry of auth.ingestKeys to k.
func ingestKeyFields(k *IngestKey) map[string]field {
	return map[string]field{
		"name": func(raw any) error {
			s, ok := raw.(string)
			if !ok {
				return fmt.Errorf("%s is not a string", show(raw))
			}
			if err := model.CheckName(s); err != nil {
				return err
			}
			k.Name = s
			return nil
		},
		"keySha256": func(raw any) error {
			s, ok := raw.(string)
			if b, err := hex.DecodeString(s); !ok || err != nil || len(b) != 32 {
				return errors.New("must be 64 hex characters: the SHA-256 of the key (pulse key prints the line)")
			}
			k.KeySHA256 = strings.ToLower(s)
			return nil
		},
		"allow": func(raw any) error {
			kinds, err := stringList(raw)
			if err == nil && len(kinds) == 0 {
				err = errors.New("is empty")
			}
			for _, kind := range kinds {
				if err == nil && kind != "rowdata" && kind != "alarm" && kind != "notice" {
					err = fmt.Errorf("has %q", kind)
				}
			}
			if err != nil {
				return fmt.Errorf("%v: it must list one or more of \"rowdata\", \"alarm\" and \"notice\"", err)
			}
			k.Allow = kinds
			return nil
		},
		"businesses": scopePatterns(&k.Businesses),
		"rate": func(raw any) error {
			n, ok := number(raw)
			if !ok || math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
				return fmt.Errorf("%s is not a number of items per second >= 0 (0 = unlimited)", show(raw))
			}
			k.Rate = n
			return nil
		},
	}
}

// missingIngestKeyField names the first key an entry of auth.ingestKeys lacks.
func missingIngestKeyField(k IngestKey) error {
	missing := func(key, what string) error { return keyError{"." + key, errors.New("is missing: " + what)} }
	switch {
	case k.Name == "":
		return missing("name", "the name the logs and metrics show for this key")
	case k.KeySHA256 == "":
		return missing("keySha256", "the SHA-256 of the key in 64 hex characters (pulse key prints the line)")
	case len(k.Allow) == 0:
		return missing("allow", "one or more of \"rowdata\", \"alarm\" and \"notice\"")
	case len(k.Businesses) == 0:
		return missing("businesses", "business patterns such as \"meter/*\" or \"*\"")
	}
	return nil
}

// stringList is raw as a list of strings.
func stringList(raw any) ([]string, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a list", show(raw))
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("entry %s is not a string", show(item))
		}
		out = append(out, s)
	}
	return out, nil
}
