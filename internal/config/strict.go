package config

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"pulse/internal/consts"
)

// A field reads one key's raw value, as the YAML, JSON or TOML decoder produced it, into its place
// in Config. It refuses a value of the wrong kind or outside what can work; the message it returns
// names no key (readSections adds it).
type field func(raw any) error

// fields binds the keys of Pulse's own sections to c. The bounds are what can work in production;
// a Config built in code (tests with millisecond timers) is held only to Check.
func (c *Config) fields() map[string]map[string]field {
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
		},
		"ingest": {
			// 1 KiB holds a small batch; 64 MiB bounds what one request buffers in memory.
			"maxBodySize": whole(&c.Ingest.MaxBodySize, 1<<10, 64<<20, "bytes"),
		},
		"bus": {
			"type":    text(&c.Bus.Type),
			"channel": text(&c.Bus.Channel),
		},
		"rowdata": {
			// 1000 items replayed to every new dashboard of a key is already a large first frame.
			"snapshotSize": whole(&c.RowData.SnapshotSize, 0, 1000, "items"),
			// A million keys of snapshotSize frames each is several GB: more cannot be held.
			"snapshotKeys": whole(&c.RowData.SnapshotKeys, 0, 1_000_000, "keys (0 = 10000)"),
		},
		"alarm": {
			"retention": duration(&c.Alarm.Retention, 0, 0), // 0 keeps everything
			// 1s: the store purges at most this often anyway.
			"purgeInterval": duration(&c.Alarm.PurgeInterval, time.Second, 0),
		},
		"auth": nil, // read by a later version: accepted, and none of its keys is warned about
	}
}

// readSections reads Pulse's sections from GoFrame's configuration into c. Unknown keys are not
// refused: each one gets a warning in the report.
func (c *Config) readSections(ctx context.Context, report *Report) error {
	sections := c.fields()
	for _, name := range sortedKeys(sections) {
		v, err := g.Cfg().Get(ctx, name)
		if err != nil {
			return gerror.Wrapf(err, "reading config section %q", name)
		}
		if v.IsNil() {
			continue
		}
		keys, ok := v.Val().(map[string]any)
		if !ok {
			return invalid(name, "must be a section of keys, such as \"%s:\\n  key: value\"", name)
		}
		if sections[name] == nil {
			continue
		}
		for _, key := range sortedKeys(keys) {
			read, known := sections[name][key]
			if !known {
				report.Warnings = append(report.Warnings, unknownKey(name, key, sections[name]))
				continue
			}
			if keys[key] == nil {
				continue // "key:" with no value: the default
			}
			if err := read(keys[key]); err != nil {
				return invalid(name+"."+key, "%v", err)
			}
		}
	}
	return nil
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
