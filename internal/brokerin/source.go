package brokerin

import (
	"context"
	"fmt"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

// Kind is what a message carries, as the topic it came on says.
type Kind string

// The kinds, named as the ingest keys' allow names them.
const (
	RowData Kind = ingestkey.KindRowData
	Alarm   Kind = ingestkey.KindAlarm
)

// Substitute in a topic level stands for a business type or id that cannot be written there: the
// payload names it.
const Substitute = "_"

// Ingest is the ingest service (service/ingest.Service) as the sources use it.
type Ingest interface {
	PublishRowData(ctx context.Context, items []model.BusinessData, batch bool) error
	PublishRowDataOnce(ctx context.Context, key idempotency.Key, items []model.BusinessData, batch bool) (replayed bool, err error)
	PublishAlarms(ctx context.Context, items []model.AlarmBusinessData, batch bool) ([]model.AlarmReceipt, error)
	PublishAlarmsOnce(ctx context.Context, key idempotency.Key, items []model.AlarmBusinessData, batch bool) ([]model.AlarmReceipt, bool, error)
}

// Options configure a Source.
type Options struct {
	Name       string   // "mqtt", "nats": in logs, metrics and as clearedBy of the alarms it clears
	Businesses []string // the patterns it may publish, as an ingest key's; empty: "*"
	MaxPayload int64    // bytes, as ingest.maxBodySize; 0: 1 MiB
	Ingest     Ingest
	// Warn receives the refusal lines (at most one per LogEvery, with a count of the others) and
	// the source's troubles (Warnf); Info its news (Infof). nil: not logged.
	Warn, Info func(format string, args ...any)
}

// Message is one message as a broker delivered it.
type Message struct {
	Kind        Kind
	Topic       string       // for logs
	Business    topic.Values // what the topic names (topic.Template.Match)
	Payload     []byte
	Redelivered bool // the broker says it delivered it before (MQTT DUP, JetStream NumDelivered > 1)
	// MessageID is the broker's name for the message across redeliveries (JetStream: its
	// Nats-Msg-Id header, else its place in the stream; MQTT has none): the Idempotency-Key of a
	// message whose payload has no eventId, batches included. "": none.
	MessageID string
	// Retrying: the source handles it again after a Retry, without a new delivery: it is not
	// counted as a message again.
	Retrying bool
}

// Source is one broker source's shared half: it publishes messages and counts them.
type Source struct {
	name       string
	key        *ingestkey.Key
	scope      string // of the eventIds
	maxPayload int64
	ingest     Ingest
	stats      *Stats
	log        *limitedLog
	info       func(format string, args ...any)
}

// New checks opts and returns the source.
func New(opts Options) (*Source, error) {
	if opts.Name == "" {
		return nil, fmt.Errorf("brokerin: a source needs a name")
	}
	businesses := opts.Businesses
	if len(businesses) == 0 {
		businesses = []string{model.Wildcard}
	}
	key, err := ingestkey.ForSource(opts.Name, businesses)
	if err != nil {
		return nil, err
	}
	if opts.MaxPayload <= 0 {
		opts.MaxPayload = 1 << 20
	}
	return &Source{
		name: opts.Name, key: key, scope: "broker:" + opts.Name, maxPayload: opts.MaxPayload,
		ingest: opts.Ingest, stats: newStats(opts.Name), log: newLimitedLog(opts.Warn), info: opts.Info,
	}, nil
}

// Name is the source's name.
func (s *Source) Name() string { return s.name }

// Stats is what the source counted.
func (s *Source) Stats() *Stats { return s.stats }

// Warnf logs a trouble of the source's own (a connection lost), unlimited: the source logs
// changes, not every attempt.
func (s *Source) Warnf(format string, args ...any) { s.log.always(s.name+": "+format, args...) }

// Infof logs news of the source's own (connected, subscribed).
func (s *Source) Infof(format string, args ...any) {
	if s.info != nil {
		s.info(s.name+": "+format, args...)
	}
}

// rowItem and alarmItem are the items a message may carry: HTTP's, with the message's eventId.
type rowItem struct {
	model.BusinessData
	EventId string `json:"eventId"`
}

type alarmItem struct {
	model.AlarmBusinessData
	EventId string `json:"eventId"`
}

// Handle publishes m and says what to do with it. It returns when the items are published (row
// data) or committed (alarms), or when that failed.
func (s *Source) Handle(ctx context.Context, m Message) Outcome {
	if !m.Retrying {
		s.stats.message(m.Kind, m.Redelivered)
	}
	out := s.handle(ctx, m)
	switch out.Verdict {
	case Refused:
		s.stats.refused(out.Reason)
		s.log.limited("%s: refused a message on %q (%s, acknowledged so that it is not redelivered): %v", s.name, m.Topic, out.Reason, out.Err)
	case Retry:
		s.stats.retry()
		s.log.limited("%s: could not publish a message on %q, left unacknowledged for redelivery: %v", s.name, m.Topic, out.Err)
	case Done:
		if out.Replayed {
			s.stats.duplicate()
		}
	}
	return out
}

func (s *Source) handle(ctx context.Context, m Message) Outcome {
	if int64(len(m.Payload)) > s.maxPayload {
		return refuse(ReasonTooLarge, fmt.Errorf("the payload is %d bytes, more than %d (ingest.maxBodySize)", len(m.Payload), s.maxPayload))
	}
	ctx = ingestkey.NewContext(ctx, s.key)
	switch m.Kind {
	case RowData:
		items, batch, err := ingest.Decode[rowItem](m.Payload)
		if err != nil {
			return refuse(ReasonInvalid, err)
		}
		rows := make([]model.BusinessData, len(items))
		events := make([]string, len(items))
		for i := range items {
			rows[i], events[i] = items[i].BusinessData, items[i].EventId
			if out := s.place(m, i, batch, &rows[i].BusinessType, &rows[i].BusinessId); out != nil {
				return *out
			}
		}
		key, out := s.eventKey(m, batch, events)
		if out != nil {
			return *out
		}
		if key == nil {
			return classify(s.ingest.PublishRowData(ctx, rows, batch), false)
		}
		replayed, err := s.ingest.PublishRowDataOnce(ctx, *key, rows, batch)
		return classify(err, replayed)
	case Alarm:
		items, batch, err := ingest.Decode[alarmItem](m.Payload)
		if err != nil {
			return refuse(ReasonInvalid, err)
		}
		alarms := make([]model.AlarmBusinessData, len(items))
		events := make([]string, len(items))
		for i := range items {
			alarms[i], events[i] = items[i].AlarmBusinessData, items[i].EventId
			if out := s.place(m, i, batch, &alarms[i].BusinessType, &alarms[i].BusinessId); out != nil {
				return *out
			}
		}
		key, out := s.eventKey(m, batch, events)
		if out != nil {
			return *out
		}
		if key == nil {
			_, err := s.ingest.PublishAlarms(ctx, alarms, batch)
			return classify(err, false)
		}
		_, replayed, err := s.ingest.PublishAlarmsOnce(ctx, *key, alarms, batch)
		return classify(err, replayed)
	}
	return refuse(ReasonInvalid, fmt.Errorf("unknown kind %q", m.Kind))
}

// place puts the topic's business into an item's fields, refusing a payload that names another
// one, and checks the business against the reserved type and the source's businesses (the
// service checks them again; here they get their own reasons).
func (s *Source) place(m Message, i int, batch bool, typ, id *string) *Outcome {
	at := func(field string) string {
		if batch {
			return fmt.Sprintf("items[%d].%s", i, field)
		}
		return field
	}
	for _, f := range []struct {
		field    string
		dst      *string
		topic    string
		hasTopic bool
	}{
		{"businessType", typ, m.Business.Type, m.Business.HasType},
		{"businessId", id, m.Business.ID, m.Business.HasID},
	} {
		switch {
		case !f.hasTopic:
		case *f.dst == "":
			*f.dst = f.topic
		case *f.dst != f.topic && f.topic != Substitute:
			out := refuse(ReasonTopic, fmt.Errorf("%s: the payload names %q, the topic %q: they must agree (the topic may say %q for a name it cannot hold)",
				at(f.field), *f.dst, f.topic, Substitute))
			return &out
		}
	}
	if *typ == ingest.ReservedType {
		out := refuse(ReasonReserved, fmt.Errorf("%s: the business type %q is reserved for the server's own alarms", at("businessType"), ingest.ReservedType))
		return &out
	}
	if !s.key.Allows(string(m.Kind), *typ, *id) {
		business := "a broadcast (an empty businessType or businessId needs the pattern *)"
		if *typ != "" && *id != "" {
			business = "business " + *typ + "/" + *id
		}
		out := refuse(ReasonScope, fmt.Errorf("%s: %s is outside the source's businesses", at("businessType"), business))
		return &out
	}
	return nil
}

// eventKey is the message's Idempotency-Key: nil without an eventId. Only a message of one item
// carries one (a batch is one message, its eventId would sit beside "items", which the body of a
// batch does not take).
func (s *Source) eventKey(m Message, batch bool, events []string) (*idempotency.Key, *Outcome) {
	name := m.MessageID // the broker's, when the payload names none
	if batch {
		for i, e := range events {
			if e != "" {
				out := refuse(ReasonInvalid, fmt.Errorf("items[%d].eventId: only a message of one item may carry an eventId: send the items one per message", i))
				return nil, &out
			}
		}
	} else if events[0] != "" {
		if err := idempotency.Check(events[0]); err != nil {
			msg := strings.TrimPrefix(err.Error(), idempotency.Header+": ")
			out := refuse(ReasonInvalid, fmt.Errorf("eventId: %s", msg))
			return nil, &out
		}
		name = events[0]
	}
	if name == "" {
		return nil, nil
	}
	// The topic's business and the kind are part of what the eventId names.
	body := make([]byte, 0, len(m.Kind)+len(m.Business.Type)+len(m.Business.ID)+len(m.Payload)+3)
	body = append(append(append(body, m.Kind...), 0), m.Business.Type...)
	body = append(append(append(body, 0), m.Business.ID...), 0)
	key, err := idempotency.New(s.scope, name, append(body, m.Payload...))
	if err != nil {
		out := refuse(ReasonInvalid, err)
		return nil, &out
	}
	return &key, nil
}
