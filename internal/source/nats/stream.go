package nats

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
)

// ensureStream creates the stream when absent, capturing both subjects. An existing stream is
// left as it is (its operator may have sized it otherwise), but it must capture them.
func (s *Source) ensureStream(ctx context.Context, js jetstream.JetStream) error {
	subjects := []string{s.filters[brokerin.RowData], s.filters[brokerin.Alarm]}
	st, err := js.Stream(ctx, s.opts.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		maxAge := s.opts.MaxAge
		if maxAge <= 0 {
			maxAge = DefaultMaxAge
		}
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{
			Name:        s.opts.Stream,
			Description: "Pulse ingest: row data and alarms",
			Subjects:    subjects,
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      maxAge,
			Storage:     jetstream.FileStorage,
			Discard:     jetstream.DiscardOld,
			Duplicates:  2 * time.Minute, // a publisher's repeat with the same Nats-Msg-Id is stored once
		})
		if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // another node was first
			return fmt.Errorf("creating stream %s: %w", s.opts.Stream, err)
		}
		s.core.Infof("created stream %s capturing %v (max age %v)", s.opts.Stream, subjects, maxAge)
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking up stream %s: %w", s.opts.Stream, err)
	}
	captured := st.CachedInfo().Config.Subjects
	for _, want := range subjects {
		if !captures(captured, want) {
			return fmt.Errorf("stream %s captures %v, not %s: add the subject to the stream, or name another stream in ingest.nats.stream", s.opts.Stream, captured, want)
		}
	}
	return nil
}

// captures says whether one of the stream's subjects covers filter (the same, or a wider
// wildcard).
func captures(streamSubjects []string, filter string) bool {
	for _, s := range streamSubjects {
		if subjectCovers(s, filter) {
			return true
		}
	}
	return false
}

// subjectCovers says whether every subject filter matches also matches pattern.
func subjectCovers(pattern, filter string) bool {
	p, f := strings.Split(pattern, "."), strings.Split(filter, ".")
	for i, token := range p {
		switch {
		case token == ">":
			return i < len(f)
		case i >= len(f):
			return false
		case token == "*":
			if f[i] == ">" {
				return false
			}
		case token != f[i]:
			return false
		}
	}
	return len(p) == len(f)
}

// ensureConsumer creates or updates kind's durable pull consumer: explicit acknowledgement,
// AckWait and MaxAckPending from the options, delivering what the stream holds from the start.
func (s *Source) ensureConsumer(ctx context.Context, js jetstream.JetStream, kind brokerin.Kind) (jetstream.Consumer, error) {
	name := s.opts.consumerName(kind)
	c, err := js.CreateOrUpdateConsumer(ctx, s.opts.Stream, jetstream.ConsumerConfig{
		Durable:       name,
		Description:   "Pulse ingest of " + string(kind),
		FilterSubject: s.filters[kind],
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.opts.AckWait,
		MaxAckPending: s.opts.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxDeliver:    -1, // a message the store could not take is redelivered until it can
	})
	if err != nil {
		return nil, fmt.Errorf("setting up consumer %s on stream %s: %w", name, s.opts.Stream, err)
	}
	return c, nil
}

// watchLag refreshes kind's lag (the consumer's num_pending) every lagInterval, so that it is
// right while no message flows too.
func (s *Source) watchLag(ctx context.Context, c jetstream.Consumer, kind brokerin.Kind) {
	t := time.NewTicker(lagInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
		info, err := c.Info(ictx)
		cancel()
		if err == nil {
			s.setPending(kind, info.NumPending)
		}
	}
}

// lagInterval is how often the consumers' lag is read from the server.
const lagInterval = 10 * time.Second

// setPending records kind's num_pending and reports both consumers' lag.
func (s *Source) setPending(kind brokerin.Kind, n uint64) {
	s.pending[kind].Store(int64(n))
	s.core.Stats().SetLag(s.pending[brokerin.RowData].Load() + s.pending[brokerin.Alarm].Load())
}
