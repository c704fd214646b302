package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// notifyFields binds the keys of the notify section. What one entry may say is checked here (a
// bad duration, a name that is not one); what the entries say together (an unknown outlet in a
// route, a duplicate name) is CheckNotify's, after the whole section is read.
func (c *Config) notifyFields(report *Report) map[string]field {
	n := &c.Notify
	return withSecretFiles(map[string]field{
		"publicUrl": publicURL(&n.PublicURL),
		"linkKeys":  linkKeys(&n.LinkKeys),
		// 1m: a link must survive the trip to a phone; 30 days: a capability should not live longer.
		"ackLinkTTL": duration(&n.AckLinkTTL, time.Minute, 30*24*time.Hour),
		// 1m: the shortest outage worth riding out; 7 days: the outbox holds rows that long.
		"retryFor":        duration(&n.RetryFor, time.Minute, 7*24*time.Hour),
		"outletDownAfter": duration(&n.OutletDownAfter, time.Second, 0),
		"retention":       duration(&n.Retention, time.Hour, 0),
		// 3s: a send gets two thirds of it; 10m: a dead node's notifications wait that long.
		"lease": duration(&n.Lease, 3*time.Second, 10*time.Minute),
		// At least one: a production alarm system refuses unbounded silences (see silence.Limits).
		"maxSilences":           whole(&n.MaxSilences, 1, 1_000_000, "silences"),
		"maxSilencesPerCreator": whole(&n.MaxSilencesPerCreator, 1, 1_000_000, "silences"),
		// 1s: tests; 365 days: an app that never starts again stops receiving within a year.
		"deviceTTL": duration(&n.DeviceTTL, time.Second, 365*24*time.Hour),
		"outlets":   outlets(report, &n.Outlets),
		"routes":    routes(report, &n.Routes),
	}, "linkKeys")
}

// publicURL reads notify.publicUrl: "" (ack links off) or an http(s) URL without query.
func publicURL(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", show(raw))
		}
		if s != "" {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
				return errors.New("is not an http or https URL without query, such as \"https://pulse.example.com\"")
			}
		}
		*dst = strings.TrimSuffix(s, "/")
		return nil
	}
}

// linkKeys reads notify.linkKeys: base64 keys of at least 32 bytes, a list, or the content of
// linkKeysFile (a string: one key a line). No message shows a key.
func linkKeys(dst *[]string) field {
	return func(raw any) error {
		var keys []string
		if s, ok := raw.(string); ok {
			keys = strings.Fields(s)
		} else {
			var err error
			if keys, err = stringList(raw); err != nil {
				return fmt.Errorf("is not a list of base64 keys: %v", err)
			}
		}
		for i, k := range keys {
			b, err := base64.StdEncoding.DecodeString(k)
			if err != nil {
				b, err = base64.RawURLEncoding.DecodeString(k)
			}
			if err != nil || len(b) < 32 {
				return keyError{fmt.Sprintf("[%d]", i), errors.New("is not a base64 key of at least 32 bytes (openssl rand -base64 32)")}
			}
		}
		*dst = keys
		return nil
	}
}

// outletTypes are the types notify.outlets may name.
var outletTypes = []string{"webhook", "email", "slack", "dingtalk", "feishu", "wecom", "fcm", "apns", "webpush"}

// outlets reads notify.outlets: entries with unique names and known types.
func outlets(report *Report, dst *[]notify.OutletConfig) field {
	return func(raw any) error {
		list, ok := raw.([]any)
		if !ok {
			return errors.New("is not a list: write entries \"- name: ..., type: webhook, url: ...\"")
		}
		out := make([]notify.OutletConfig, len(list))
		names := map[string]int{}
		for i, item := range list {
			at, o := fmt.Sprintf("[%d]", i), &out[i]
			if err := section(report, "notify.outlets"+at, outletFields(o))(item); err != nil {
				return keyError{at, err}
			}
			switch {
			case o.Name == "":
				return keyError{at + ".name", errors.New("is missing: routes name outlets by it")}
			case o.Type == "":
				return keyError{at + ".type", fmt.Errorf("is missing: one of %s", strings.Join(outletTypes, ", "))}
			}
			if j, dup := names[o.Name]; dup {
				return keyError{at + ".name", fmt.Errorf("%q is the name of notify.outlets[%d] too: names must be unique", o.Name, j)}
			}
			names[o.Name] = i
		}
		*dst = out
		return nil
	}
}

// outletFields binds the keys of one outlet. Secrets may be given as <key>File.
func outletFields(o *notify.OutletConfig) map[string]field {
	return withSecretFiles(map[string]field{
		"name": nameField(&o.Name),
		"type": func(raw any) error {
			s, ok := raw.(string)
			if !ok || !slices.Contains(outletTypes, s) {
				return fmt.Errorf("%s is not an outlet type: it must be one of %s", show(raw), strings.Join(outletTypes, ", "))
			}
			o.Type = s
			return nil
		},
		"url": func(raw any) error {
			s, ok := raw.(string)
			if !ok {
				return fmt.Errorf("%s is not a string", show(raw))
			}
			if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				// Not echoed: a chat robot's URL holds its secret.
				return errors.New("is not an http or https URL")
			}
			o.URL = s
			return nil
		},
		"secrets": func(raw any) error {
			list, err := stringList(raw)
			if err != nil {
				return errors.New("is not a list of secrets \"whsec_<base64>\"")
			}
			if len(list) > 0 && len(o.Secrets) > 0 {
				return errors.New("is set and so is secretsFile: give the secrets in one of them")
			}
			if len(list) > 0 {
				o.Secrets = list
			}
			return nil
		},
		// secretsFile: a file holding the webhook's secrets, one per line (the first signs).
		"secretsFile": func(raw any) error {
			path, ok := raw.(string)
			switch {
			case !ok:
				return fmt.Errorf("%s is not a string: write the path of the file that holds the secrets, one per line", show(raw))
			case path == "":
				return nil
			case len(o.Secrets) > 0:
				return errors.New("is set and so is secrets: give the secrets in one of them")
			}
			content, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("cannot read the file %q", path)
			}
			for _, line := range strings.Split(string(content), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					o.Secrets = append(o.Secrets, line)
				}
			}
			if len(o.Secrets) == 0 {
				return fmt.Errorf("the file %q holds no secret", path)
			}
			return nil
		},
		"secret":   secretText(&o.Secret),
		"rate":     outletRate(&o.Rate),
		"smtp":     text(&o.SMTP),
		"username": text(&o.Username),
		"password": secretText(&o.Password),
		"from":     text(&o.From),
		"to": func(raw any) error {
			list, err := stringList(raw)
			if err != nil {
				return err
			}
			o.To = list
			return nil
		},
		"insecure": boolean(&o.Insecure),
		"endpoint": func(raw any) error {
			s, ok := raw.(string)
			if !ok {
				return fmt.Errorf("%s is not a string", show(raw))
			}
			if u, err := url.Parse(s); s != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
				return errors.New("is not an http or https URL (empty: the push service's own)")
			}
			o.Endpoint = strings.TrimSuffix(s, "/")
			return nil
		},
		"caFile":          text(&o.CAFile),
		"credentialsFile": text(&o.CredentialsFile),
		"keyFile":         text(&o.KeyFile),
		"keyId":           text(&o.KeyID),
		"teamId":          text(&o.TeamID),
		"topic":           text(&o.Topic),

		"vapidPublicKey":  text(&o.VAPIDPublicKey),
		"vapidPrivateKey": secretText(&o.VAPIDPrivateKey),
		"subject":         text(&o.Subject),
		"endpointHosts": func(raw any) error {
			list, err := stringList(raw)
			if err != nil {
				return err
			}
			o.EndpointHosts = list
			return nil
		},
		"allowHttpEndpoints": boolean(&o.AllowHTTPEndpoints),
	}, "secret", "password", "vapidPrivateKey")
}

// secretText reads a secret string; no message shows it.
func secretText(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return errors.New("is not a string (write the secret in quotes)")
		}
		*dst = s
		return nil
	}
}

// outletRate reads an outlet's rate: notifications per second, 0 = unlimited.
func outletRate(dst *float64) field {
	return func(raw any) error {
		n, ok := number(raw)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
			return fmt.Errorf("%s is not a number of notifications per second >= 0 (0 = unlimited; 20/min is 0.333)", show(raw))
		}
		*dst = n
		return nil
	}
}

// nameField reads a name of an outlet, route or step: the name rules of alarm ids.
func nameField(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", show(raw))
		}
		if err := model.CheckName(s); err != nil {
			return err
		}
		if strings.ContainsAny(s, "|") {
			return errors.New(`must not contain "|"`)
		}
		*dst = s
		return nil
	}
}

// routes reads notify.routes: entries with unique names, each step name unique in its route.
func routes(report *Report, dst *[]notify.Route) field {
	return func(raw any) error {
		list, ok := raw.([]any)
		if !ok {
			return errors.New("is not a list: write entries \"- name: ..., match: {...}, to: [outlet, ...]\"")
		}
		out := make([]notify.Route, len(list))
		names := map[string]int{}
		for i, item := range list {
			at, r := fmt.Sprintf("[%d]", i), &out[i]
			if err := section(report, "notify.routes"+at, routeFields(report, "notify.routes"+at, r))(item); err != nil {
				return keyError{at, err}
			}
			if r.Name == "" {
				return keyError{at + ".name", errors.New("is missing: timers in the store refer to routes by name")}
			}
			if j, dup := names[r.Name]; dup {
				return keyError{at + ".name", fmt.Errorf("%q is the name of notify.routes[%d] too: names must be unique", r.Name, j)}
			}
			names[r.Name] = i
		}
		*dst = out
		return nil
	}
}

func routeFields(report *Report, name string, r *notify.Route) map[string]field {
	return map[string]field{
		"name": nameField(&r.Name),
		"match": section(report, name+".match", map[string]field{
			"levels":     levels(&r.Match.Levels),
			"businesses": businessPatterns(&r.Match.Businesses),
		}),
		"to":             outletNames(&r.To),
		"groupBy":        groupBy(&r.GroupBy),
		"groupWait":      duration(&r.GroupWait, 0, 24*time.Hour),
		"repeatInterval": duration(&r.RepeatInterval, 0, 0),
		"resolved":       boolean(&r.Resolved),
		"continue":       boolean(&r.Continue),
		"escalate": func(raw any) error {
			list, ok := raw.([]any)
			if !ok {
				return errors.New("is not a list: write steps \"- name: ..., after: \"10m\", to: [outlet, ...]\"")
			}
			steps := make([]notify.Step, len(list))
			seen := map[string]int{}
			for i, item := range list {
				at, s := fmt.Sprintf("[%d]", i), &steps[i]
				if err := section(report, name+".escalate"+at, map[string]field{
					"name":  nameField(&s.Name),
					"after": duration(&s.After, time.Second, 0),
					"to":    outletNames(&s.To),
				})(item); err != nil {
					return keyError{at, err}
				}
				switch {
				case s.Name == "":
					return keyError{at + ".name", errors.New("is missing: timers in the store refer to steps by name")}
				case s.After == 0:
					return keyError{at + ".after", errors.New("is missing: how long after the raise, unless acknowledged, such as \"10m\"")}
				case len(s.To) == 0:
					return keyError{at + ".to", errors.New("is missing: the outlets this step notifies")}
				}
				if j, dup := seen[s.Name]; dup {
					return keyError{at + ".name", fmt.Errorf("%q is the name of step [%d] too: step names must be unique in a route", s.Name, j)}
				}
				seen[s.Name] = i
			}
			r.Escalate = steps
			return nil
		},
	}
}

func levels(dst *[]string) field {
	return func(raw any) error {
		list, err := stringList(raw)
		if err != nil {
			return err
		}
		known := []string{model.LevelCritical, model.LevelMajor, model.LevelMinor, model.LevelWarning, model.LevelInfo}
		for i, l := range list {
			if !slices.Contains(known, l) {
				return keyError{fmt.Sprintf("[%d]", i), fmt.Errorf("%q is not a level: one of %s", l, strings.Join(known, ", "))}
			}
		}
		*dst = list
		return nil
	}
}

func businessPatterns(dst *[]string) field {
	return func(raw any) error {
		list, err := stringList(raw)
		if err != nil {
			return err
		}
		for i, p := range list {
			if _, err := model.ParsePattern(p); err != nil {
				return keyError{fmt.Sprintf("[%d]", i), fmt.Errorf("%q is not a business pattern: %v", p, err)}
			}
		}
		*dst = list
		return nil
	}
}

func outletNames(dst *[]string) field {
	return func(raw any) error {
		list, err := stringList(raw)
		if err != nil {
			return fmt.Errorf("%v: write the names of outlets, [\"ops-webhook\", ...]", err)
		}
		*dst = list
		return nil
	}
}

func groupBy(dst *[]string) field {
	return func(raw any) error {
		list, err := stringList(raw)
		if err != nil {
			return err
		}
		for i, f := range list {
			if !slices.Contains(notify.GroupByFields, f) {
				return keyError{fmt.Sprintf("[%d]", i), fmt.Errorf("%q is not a field to group by: one of %s", f, strings.Join(notify.GroupByFields, ", "))}
			}
		}
		*dst = list
		return nil
	}
}

// CheckNotify refuses what the notify section's entries say together: a route naming an outlet
// that is not configured, a route without outlets, publicUrl without linkKeys.
func CheckNotify(n notify.Config) error {
	outlets := map[string]bool{}
	for _, o := range n.Outlets {
		outlets[o.Name] = true
	}
	for i, r := range n.Routes {
		at := fmt.Sprintf("notify.routes[%d]", i)
		if len(r.To) == 0 && len(r.Escalate) == 0 {
			return invalid(at+".to", "route %q names no outlet: it would notify nobody", r.Name)
		}
		for j, o := range r.To {
			if !outlets[o] {
				return invalid(fmt.Sprintf("%s.to[%d]", at, j), "%q is not the name of an outlet in notify.outlets", o)
			}
		}
		for k, s := range r.Escalate {
			for j, o := range s.To {
				if !outlets[o] {
					return invalid(fmt.Sprintf("%s.escalate[%d].to[%d]", at, k, j), "%q is not the name of an outlet in notify.outlets", o)
				}
			}
		}
	}
	if n.PublicURL != "" && len(n.LinkKeys) == 0 {
		return invalid("notify.linkKeys", "notify.publicUrl turns ack links on: they need a key to sign them (openssl rand -base64 32)")
	}
	return nil
}
