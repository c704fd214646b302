package nats

import (
	"time"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
)

// Options say where the source consumes from and how it logs in (ingest.nats).
type Options struct {
	URL        string // nats://host:4222, or several comma-separated
	Stream     string
	Durable    string                   // consumers <Durable>-rowdata and <Durable>-alarm
	DeadLetter string                   // "" = refused messages are only terminated
	Subjects   map[brokerin.Kind]string // subject templates, such as pulse.alarm.{businessType}.{businessId}
	Name       string                   // the connection's name, shown by the server (nats server report connections)
	Auth       Auth                     // credentials and TLS

	AckWait       time.Duration // a message unacknowledged this long goes to another node; 30s when 0
	MaxAckPending int           // per consumer: messages handed out and not yet acknowledged; 1000 when 0
	// MaxAge bounds the stream the source creates (DefaultMaxAge when 0); an existing stream is
	// left as it is.
	MaxAge time.Duration
	// RetryDelay is the first wait before a server that cannot be reached, or a stream that
	// cannot be set up, is tried again; it doubles up to 30s. 1s when 0.
	RetryDelay time.Duration
	// AlarmWorkers and RowDataWorkers handle messages concurrently (the store commits alarms
	// that wait together); the messages of one subject (one business) stay in order. 64 and 4
	// when 0.
	AlarmWorkers, RowDataWorkers int
}

// Auth is how the source logs in to the server and trusts it.
type Auth struct {
	Username, Password string
	Token              string
	CredsFile          string // a JWT and NKey seed (decentralised auth)
	CAFile             string // the CA of the server's certificate
	CertFile, KeyFile  string // a client certificate, when the server asks for one
}

// DefaultMaxAge is how long the stream the source creates keeps a message it captured: a node
// that is down longer than this loses what was sent meanwhile, and the stream stays bounded.
const DefaultMaxAge = 24 * time.Hour

func (o Options) consumerName(k brokerin.Kind) string { return o.Durable + "-" + string(k) }
