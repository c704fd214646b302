package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
)

// NATS is the "ingest.nats" section: row data and alarms consumed from a NATS JetStream stream.
// An empty URL turns the source off.
type NATS struct {
	URL        string       `json:"url"`        // nats://host:4222 (several, comma-separated, for a cluster); "" = off
	Stream     string       `json:"stream"`     // created when absent, capturing the two subjects
	Durable    string       `json:"durable"`    // the consumers' name prefix: <durable>-rowdata and <durable>-alarm
	DeadLetter string       `json:"deadLetter"` // a subject that receives refused messages; "" = none
	Subjects   NATSSubjects `json:"subjects"`
	Businesses []string     `json:"businesses"` // what the source may publish, as an ingest key's patterns

	// Credentials: a user and password, a token, or a creds file (NATS decentralised auth: a JWT
	// and its NKey seed). Password and token may be given in files (passwordFile, tokenFile).
	Username  string `json:"username"`
	Password  string `json:"password"`
	Token     string `json:"token"`
	CredsFile string `json:"credsFile"`
	// TLS: the CA that signed the server's certificate (a private CA), and a client certificate
	// and key when the server asks for one. A tls:// URL or a server that requires TLS uses the
	// system's CAs without them.
	TLS NATSTLS `json:"tls"`

	// AckWait is how long a message handed to a node may stay unacknowledged before JetStream
	// gives it to another (the node died, or hangs).
	AckWait time.Duration `json:"ackWait"`
	// MaxAckPending bounds the messages handed out and not yet acknowledged, per consumer: what
	// the nodes together hold in memory.
	MaxAckPending int `json:"maxAckPending"`
}

// NATSSubjects are the subject templates of the two kinds: dot-separated tokens, of which
// {businessType} and {businessId} are taken from each message's subject.
type NATSSubjects struct {
	RowData string `json:"rowdata"`
	Alarm   string `json:"alarm"`
}

// NATSTLS is ingest.nats.tls: files read at every connection.
type NATSTLS struct {
	CAFile   string `json:"caFile"`
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
}

// DefaultNATS is ingest.nats when absent: off, with the contract's names.
func DefaultNATS() NATS {
	return NATS{
		Stream:        "PULSE",
		Durable:       "pulse",
		Subjects:      NATSSubjects{RowData: "pulse.rowdata.{businessType}.{businessId}", Alarm: "pulse.alarm.{businessType}.{businessId}"},
		Businesses:    []string{"*"},
		AckWait:       30 * time.Second,
		MaxAckPending: 1000,
	}
}

// natsFields binds the keys of ingest.nats.
func (c *Config) natsFields(report *Report) map[string]field {
	n := &c.Ingest.NATS
	return withSecretFiles(map[string]field{
		"url":        natsURL(&n.URL),
		"stream":     natsName(&n.Stream),
		"durable":    natsName(&n.Durable),
		"deadLetter": natsSubject(&n.DeadLetter),
		"subjects": section(report, "ingest.nats.subjects", map[string]field{
			"rowdata": text(&n.Subjects.RowData),
			"alarm":   text(&n.Subjects.Alarm),
		}),
		"businesses": scopePatterns(&n.Businesses),
		"username":   text(&n.Username),
		"password":   text(&n.Password),
		"token":      text(&n.Token),
		"credsFile":  readableFile(&n.CredsFile),
		"tls": section(report, "ingest.nats.tls", map[string]field{
			"caFile":   readableFile(&n.TLS.CAFile),
			"certFile": readableFile(&n.TLS.CertFile),
			"keyFile":  readableFile(&n.TLS.KeyFile),
		}),
		// 1s: a commit under load takes longer; 1h: a dead node's messages wait that long.
		"ackWait": duration(&n.AckWait, time.Second, time.Hour),
		// 100,000 messages of up to 1 MiB would already be more than a node should hold.
		"maxAckPending": whole(&n.MaxAckPending, 1, 100_000, "messages"),
	}, "password", "token")
}

// checkNATS reports the first value of ingest.nats that cannot work (when it is on).
func checkNATS(n NATS) error {
	if n.URL == "" {
		return nil
	}
	switch {
	case n.Stream == "":
		return invalid("ingest.nats.stream", "must name the JetStream stream, e.g. \"PULSE\"")
	case n.Durable == "":
		return invalid("ingest.nats.durable", "must name the durable consumer the nodes share, e.g. \"pulse\"")
	case n.Token != "" && (n.Username != "" || n.CredsFile != ""):
		return invalid("ingest.nats.token", "is set and so is username or credsFile: give one way to log in")
	case n.Username != "" && n.CredsFile != "":
		return invalid("ingest.nats.username", "is set and so is credsFile: give one way to log in")
	case n.Password != "" && n.Username == "":
		return invalid("ingest.nats.password", "is set without ingest.nats.username")
	case (n.TLS.CertFile == "") != (n.TLS.KeyFile == ""):
		return invalid("ingest.nats.tls.certFile", "and ingest.nats.tls.keyFile go together: give both or neither")
	}
	templates := map[string]topic.Template{}
	for _, key := range []string{"rowdata", "alarm"} {
		raw := map[string]string{"rowdata": n.Subjects.RowData, "alarm": n.Subjects.Alarm}[key]
		t, err := topic.ParseTemplate(raw, topic.NATSSeparator)
		if err != nil {
			return invalid("ingest.nats.subjects."+key, "%v", err)
		}
		templates[key] = t
	}
	rows, alarms := templates["rowdata"], templates["alarm"]
	if _, overlap := rows.Match(alarms.Filter("x")); overlap {
		return invalid("ingest.nats.subjects.alarm", "%q is a row-data subject too: the two kinds need subjects of their own", n.Subjects.Alarm)
	}
	for _, t := range templates {
		if _, consumed := t.Match(n.DeadLetter); n.DeadLetter != "" && consumed {
			return invalid("ingest.nats.deadLetter", "%q is an ingest subject (%s): refused messages would be consumed again", n.DeadLetter, t)
		}
	}
	return nil
}

// validToken is a literal subject token: not empty, no white space or wildcard.
func validToken(token string) bool {
	return token != "" && !strings.ContainsAny(token, " \t\r\n*>")
}

// natsURL reads ingest.nats.url: "" or nats://, tls://, ws:// or wss:// URLs, comma-separated.
func natsURL(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", show(raw))
		}
		for _, one := range strings.Split(s, ",") {
			if s == "" {
				break
			}
			u, err := url.Parse(strings.TrimSpace(one))
			if err != nil || u.Host == "" || (u.Scheme != "nats" && u.Scheme != "tls" && u.Scheme != "ws" && u.Scheme != "wss") {
				return errors.New("is not a NATS URL such as \"nats://127.0.0.1:4222\" (schemes nats, tls, ws, wss; several comma-separated)")
			}
		}
		*dst = s
		return nil
	}
}

// natsName reads a stream's or consumer's name: JetStream allows no spaces, dots, wildcards or
// path separators in them.
func natsName(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", show(raw))
		}
		if s == "" || strings.ContainsAny(s, " \t\r\n.*>/\\") || len(s) > 200 {
			return fmt.Errorf("%q is not a JetStream name: 1 to 200 characters without spaces, dots, *, >, / or \\", s)
		}
		*dst = s
		return nil
	}
}

// natsSubject reads a literal subject ("" = none).
func natsSubject(dst *string) field {
	return func(raw any) error {
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", show(raw))
		}
		if s != "" {
			for _, token := range strings.Split(s, ".") {
				if !validToken(token) {
					return fmt.Errorf("%q is not a subject: dot-separated tokens without spaces or wildcards, e.g. \"pulse.refused\"", s)
				}
			}
		}
		*dst = s
		return nil
	}
}

// readableFile reads the path of a file that must exist now ("" = none); the message names the
// path, never the content.
func readableFile(dst *string) field {
	return func(raw any) error {
		path, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s is not a string: write the path of a file", show(raw))
		}
		if path != "" {
			f, err := os.Open(path)
			if err != nil {
				var pathErr *os.PathError
				if errors.As(err, &pathErr) {
					err = pathErr.Err
				}
				return fmt.Errorf("cannot read the file %q: %v", path, err)
			}
			_ = f.Close()
		}
		*dst = path
		return nil
	}
}
