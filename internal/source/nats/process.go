package nats

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
)

// process hands one message to the core and acknowledges it as the outcome says: Done is
// acknowledged, Refused terminated (and copied to the dead-letter subject), Retry negatively
// acknowledged with a delay, so that JetStream delivers it again. The subject names the business;
// an alarm's message id is its idempotency key unless its payload has an eventId (row data has
// none: a redelivered row is published again, which costs a dashboard a repeated value, not a
// count).
func (s *Source) process(kind brokerin.Kind, m jetstream.Msg) {
	md, err := m.Metadata()
	if err != nil { // not a JetStream message: nothing to acknowledge
		s.core.Warnf("a message on %s without JetStream metadata: %v", m.Subject(), err)
		return
	}
	s.setPending(kind, md.NumPending)
	business, _ := s.templates[kind].Match(m.Subject()) // the consumer's filter is the template's
	msg := brokerin.Message{Kind: kind, Topic: m.Subject(), Business: business, Payload: m.Data(),
		Redelivered: md.NumDelivered > 1}
	if kind == brokerin.Alarm {
		msg.MessageID = messageID(m, md)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.AckWait)
	defer cancel()
	out := s.handle(ctx, msg)
	switch out.Verdict {
	case brokerin.Done:
		_ = m.Ack()
	case brokerin.Refused:
		reason := out.Reason
		if out.Err != nil {
			reason += ": " + out.Err.Error()
		}
		s.deadLetter(kind, m, reason)
		if s.termReasons.Load() {
			_ = m.TermWithReason(truncate(reason, 256))
		} else {
			_ = m.Term() // an older server ignores a termination with a reason: it would redeliver
		}
	default:
		_ = m.NakWithDelay(redeliveryDelay(md.NumDelivered))
	}
}

// messageID is what identifies m across redeliveries: its Nats-Msg-Id header (which the
// publisher chose, as an Idempotency-Key), else its place in the stream (its sequence and the
// time it was stored, which tell it apart from a message of a stream created again).
func messageID(m jetstream.Msg, md *jetstream.MsgMetadata) string {
	if id := m.Headers().Get(nats.MsgIdHdr); id != "" && printable(id) && len(id) <= 128 {
		return id
	}
	return "js:" + strconv.FormatUint(md.Sequence.Stream, 10) + "@" + strconv.FormatInt(md.Timestamp.UnixNano(), 10)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// redeliveryDelay is how long JetStream waits before it redelivers a message the store could not
// take, after its n-th delivery: 1s, doubling up to 30s.
func redeliveryDelay(n uint64) time.Duration {
	d := time.Second
	for i := uint64(1); i < n && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}

// Dead-letter headers: why the message was refused, and where it came from.
const (
	HeaderRefused = "Pulse-Refused" // the reason, as the HTTP API would answer it
	HeaderSubject = "Pulse-Subject" // the subject it was published on
	HeaderKind    = "Pulse-Kind"    // rowdata or alarm
	HeaderMsgID   = "Pulse-Msg-Id"  // its Nats-Msg-Id, when it had one
)

// deadLetter copies a refused message to the dead-letter subject, when one is set, with the reason
// and its origin in headers. The publisher's own headers go along, except JetStream's (Nats-*),
// which would make a stream capturing the subject deduplicate or refuse the copy.
func (s *Source) deadLetter(kind brokerin.Kind, m jetstream.Msg, reason string) {
	if s.opts.DeadLetter == "" {
		return
	}
	s.mu.Lock()
	nc := s.nc
	s.mu.Unlock()
	out := nats.NewMsg(s.opts.DeadLetter)
	out.Data = m.Data()
	for k, values := range m.Headers() {
		if len(k) >= 5 && k[:5] == "Nats-" {
			continue
		}
		out.Header[k] = values
	}
	out.Header.Set(HeaderRefused, truncate(reason, 1024))
	out.Header.Set(HeaderSubject, m.Subject())
	out.Header.Set(HeaderKind, string(kind))
	if id := m.Headers().Get(nats.MsgIdHdr); id != "" {
		out.Header.Set(HeaderMsgID, id)
	}
	if err := nc.PublishMsg(out); err != nil {
		s.core.Warnf("copying a refused message to %s: %v", s.opts.DeadLetter, err)
	}
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// versionAtLeast says whether the server version v ("2.10.4", "2.11.0-beta") is at least
// major.minor.patch; false when it does not parse.
func versionAtLeast(v string, major, minor, patch int) bool {
	v, _, _ = strings.Cut(v, "-")
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	var got [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return false
		}
		got[i] = n
	}
	want := [3]int{major, minor, patch}
	for i := range got {
		if got[i] != want[i] {
			return got[i] > want[i]
		}
	}
	return true
}
