package natsin

import (
	"context"
	"time"
)

// Kind is what a consumer takes: row data or alarms.
type Kind string

// The two kinds, as ingest keys name them.
const (
	RowData Kind = "rowdata"
	Alarm   Kind = "alarm"
)

// Options say where the source consumes from and how it logs in.
type Options struct {
	URL        string // nats://host:4222, or several comma-separated
	Stream     string
	Durable    string               // consumers <Durable>-rowdata and <Durable>-alarm
	DeadLetter string               // "" = refused messages are only terminated
	Subjects   map[Kind]string      // subject templates with {businessType} and {businessId} tokens
	Name       string               // the connection's name, shown by the server (nats server report connections)
	Auth       Auth                 // credentials and TLS
	Logf       func(string, ...any) // the source's log (connection changes); nil = none
	// Report hears of the consumers' state and lag (brokerin.Stats, which /readyz and /metrics
	// read); nil = nobody.
	Report Reporter

	AckWait       time.Duration // a message unacknowledged this long goes to another node
	MaxAckPending int           // per consumer: messages handed out and not yet acknowledged
	// MaxAge bounds the stream the source creates (DefaultMaxAge when 0); an existing stream is
	// left as it is.
	MaxAge time.Duration
	// RetryDelay is the first wait before a server that cannot be reached, or a stream that
	// cannot be set up, is tried again; it doubles up to 30s. 1s when 0.
	RetryDelay time.Duration
	// AlarmWorkers store alarms concurrently (the store commits them together); messages of one
	// subject stay in order. 16 when 0.
	AlarmWorkers int
}

// Auth is how the source logs in to the server and trusts it.
type Auth struct {
	Username, Password string
	Token              string
	CredsFile          string // a JWT and NKey seed (decentralised auth)
	TLSCA              string // the CA of the server's certificate
	TLSCert, TLSKey    string // a client certificate, when the server asks for one
}

// DefaultMaxAge is how long the stream the source creates keeps a message it captured: a node
// that is down longer than this loses what was sent meanwhile, and the stream stays bounded.
const DefaultMaxAge = 24 * time.Hour

// Delivery is one message for Handle: its kind, subject, payload and idempotency key.
type Delivery struct {
	Kind    Kind
	Subject string
	Payload []byte
	// MessageID identifies the message across redeliveries: its Nats-Msg-Id header, else its
	// place in the stream. An alarm's eventId, when the payload has one, takes precedence.
	MessageID   string
	Redelivered bool
}

// Outcome is what became of a message.
type Outcome int

// The outcomes: Done is acknowledged, Refused terminated (and copied to the dead letter subject),
// Retry redelivered later.
const (
	Done Outcome = iota
	Refused
	Retry
)

// Verdict is Handle's answer: the outcome and, when refused or retried, why.
type Verdict struct {
	Outcome Outcome
	Reason  string
}

// Handle turns a message into published row data or a stored alarm.
type Handle func(ctx context.Context, d Delivery) Verdict

// Reporter hears what the source's consumers do: Connected(kind, nil) while kind's consumer
// consumes, Connected(kind, why) while it does not; SetLag the messages the stream holds that no
// node has been handed yet (both consumers' num_pending).
type Reporter interface {
	Connected(session string, err error)
	SetLag(n int64)
}

func (o Options) consumerName(k Kind) string { return o.Durable + "-" + string(k) }

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}
