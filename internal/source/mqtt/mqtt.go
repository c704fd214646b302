package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
)

// Options configure the source (ingest.mqtt).
type Options struct {
	Broker     string // tcp://host:1883, ssl://host:8883, ws://..., wss://...
	ClientID   string // the sessions are <ClientID>-rowdata and <ClientID>-alarm
	Username   string
	Password   string
	ShareGroup string // "": every node gets every message; else $share/<ShareGroup>/<topic>
	Topics     map[brokerin.Kind]string
	TLS        TLSFiles
	// Retry is the first pause before a message the store could not take is tried again, and
	// before a lost connection is made again; it doubles up to MaxRetry. 0: 100ms and 10s.
	Retry, MaxRetry time.Duration
}

// Source consumes row data and alarms from an MQTT broker.
type Source struct {
	core     *brokerin.Source
	broker   string
	sessions []*session
}

// New builds the source over core (which publishes); it connects on Start.
func New(opts Options, core *brokerin.Source) (*Source, error) {
	if opts.Broker == "" || opts.ClientID == "" {
		return nil, errors.New("mqtt: broker and clientId are required")
	}
	tlsConfig, err := opts.TLS.config()
	if err != nil {
		return nil, fmt.Errorf("mqtt: %w", err)
	}
	if opts.Retry <= 0 {
		opts.Retry = 100 * time.Millisecond
	}
	if opts.MaxRetry < opts.Retry {
		opts.MaxRetry = max(opts.Retry, 10*time.Second)
	}
	s := &Source{core: core, broker: opts.Broker}
	for _, kind := range []brokerin.Kind{brokerin.RowData, brokerin.Alarm} {
		tpl, err := topic.ParseTemplate(opts.Topics[kind], topic.MQTTSeparator)
		if err != nil {
			return nil, fmt.Errorf("mqtt: topics.%s: %w", kind, err)
		}
		s.sessions = append(s.sessions, newSession(opts, kind, tpl, tlsConfig, core))
	}
	return s, nil
}

// Name is "mqtt".
func (s *Source) Name() string { return s.core.Name() }

// Stats is what the source counted.
func (s *Source) Stats() *brokerin.Stats { return s.core.Stats() }

// Describe names the broker (without credentials) and the subscriptions.
func (s *Source) Describe() string {
	subs := make([]string, len(s.sessions))
	for i, ss := range s.sessions {
		subs[i] = fmt.Sprintf("%s %q as %s", ss.kind, ss.filter, ss.clientID)
	}
	return fmt.Sprintf("%s %s: %s", s.Name(), s.broker, strings.Join(subs, ", "))
}

// Start connects both sessions in the background: a broker that cannot be reached now is tried
// again until it can, or until Stop.
func (s *Source) Start(context.Context) error {
	for _, ss := range s.sessions {
		ss.start()
	}
	return nil
}

// Stop stops both sessions: the messages being handled finish by the end of ctx or stay
// unacknowledged, for the broker to deliver again.
func (s *Source) Stop(ctx context.Context) error {
	done := make(chan struct{}, len(s.sessions))
	for _, ss := range s.sessions {
		go func() { ss.stop(ctx); done <- struct{}{} }()
	}
	for range s.sessions {
		<-done
	}
	return nil
}

var _ brokerin.Runner = (*Source)(nil)

// tlsFor is the TLS configuration for broker: cfg, or the system's roots for a TLS scheme.
func tlsFor(broker string, cfg *tls.Config) *tls.Config {
	if cfg != nil {
		return cfg
	}
	for _, scheme := range []string{"ssl://", "tls://", "mqtts://", "wss://"} {
		if strings.HasPrefix(broker, scheme) {
			return &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	return nil
}
