package nats_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
	natssource "github.com/pulse-monitoring/pulse/internal/source/nats"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// recorder stands for the core: it answers from a script and records what it was given.
type recorder struct {
	mu     sync.Mutex
	got    []brokerin.Message
	answer func(d brokerin.Message, n int) brokerin.Outcome // n: how many deliveries came before
}

func (r *recorder) handle(_ context.Context, d brokerin.Message) brokerin.Outcome {
	r.mu.Lock()
	n := len(r.got)
	r.got = append(r.got, d)
	r.mu.Unlock()
	return r.answer(d, n)
}

func (r *recorder) deliveries() []brokerin.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]brokerin.Message(nil), r.got...)
}

// source starts a Source on the bed's stream whose messages handle answers, stopped when the
// test ends.
func (b *bed) source(handle func(context.Context, brokerin.Message) brokerin.Outcome) *natssource.Source {
	b.t.Helper()
	core, err := brokerin.New(brokerin.Options{Name: "nats", Warn: b.t.Logf, Info: b.t.Logf})
	if err != nil {
		b.t.Fatal(err)
	}
	s, err := natssource.New(natssource.Options{
		URL: b.cfg.URL, Stream: b.cfg.Stream, Durable: b.cfg.Durable, DeadLetter: b.cfg.DeadLetter,
		Subjects:      map[brokerin.Kind]string{brokerin.RowData: b.cfg.Subjects.RowData, brokerin.Alarm: b.cfg.Subjects.Alarm},
		AckWait:       2 * time.Second,
		MaxAckPending: 100,
	}, core)
	if err != nil {
		b.t.Fatal(err)
	}
	s.SetHandle(handle)
	_ = s.Start(context.Background())
	b.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	poll.Eventually(b.t, func() bool { return b.consumerInfo("alarm") != nil && b.consumerInfo("rowdata") != nil },
		"the source did not set up its consumers")
	return s
}

// TestRetryIsRedelivered: a message whose handling says Retry (the store cannot write) is not
// acknowledged and comes again, marked redelivered, with the same message id.
func TestRetryIsRedelivered(t *testing.T) {
	b := newBed(t)
	r := &recorder{answer: func(_ brokerin.Message, n int) brokerin.Outcome {
		if n == 0 {
			return brokerin.Outcome{Verdict: brokerin.Retry, Err: errors.New("store unavailable")}
		}
		return brokerin.Outcome{Verdict: brokerin.Done}
	}}
	b.source(r.handle)
	b.publish(b.subject("alarm", "meter", "m-1"), `{"title":"t"}`)
	poll.Eventually(t, func() bool { return len(r.deliveries()) >= 2 }, "the message was not delivered again")
	b.settled()
	got := r.deliveries()
	if len(got) != 2 || got[0].Redelivered || !got[1].Redelivered || got[0].MessageID != got[1].MessageID || got[0].MessageID == "" {
		t.Fatalf("deliveries: %+v; want the message twice, the second redelivered, with one id", got)
	}
	want := topic.Values{Type: "meter", ID: "m-1", HasType: true, HasID: true}
	if got[0].Kind != brokerin.Alarm || got[0].Topic != b.subject("alarm", "meter", "m-1") || got[0].Business != want || string(got[0].Payload) != `{"title":"t"}` {
		t.Fatalf("delivery: %+v", got[0])
	}
}

// TestMessageIDIsTheHeaderElseTheStreamPlace: the Nats-Msg-Id header names an alarm message;
// without it, its place in the stream does, different for each message. Row data has none.
func TestMessageIDIsTheHeaderElseTheStreamPlace(t *testing.T) {
	b := newBed(t)
	r := &recorder{answer: func(brokerin.Message, int) brokerin.Outcome { return brokerin.Outcome{Verdict: brokerin.Done} }}
	b.source(r.handle)
	b.publish(b.subject("rowdata", "meter", "m-1"), `{"data":0}`, "Nats-Msg-Id", "row-1")
	poll.Eventually(t, func() bool { return len(r.deliveries()) == 1 }, "the row was not delivered")
	if id := r.deliveries()[0].MessageID; id != "" {
		t.Fatalf("row data got the message id %q: a repeated row is published again, not remembered", id)
	}
	subject := b.subject("alarm", "meter", "m-1")
	b.publish(subject, `{"data":1}`, "Nats-Msg-Id", "publisher-1")
	b.publish(subject, `{"data":2}`)
	b.publish(subject, `{"data":3}`)
	poll.Eventually(t, func() bool { return len(r.deliveries()) == 4 }, "not every message was delivered")
	got := r.deliveries()[1:]
	if got[0].MessageID != "publisher-1" || got[1].MessageID == got[2].MessageID || got[1].MessageID == "" {
		t.Fatalf("ids %q %q %q: want the header's, then two distinct ones", got[0].MessageID, got[1].MessageID, got[2].MessageID)
	}
	b.settled()
}

// TestStopDrains: a source stopped while its handler is busy finishes and acknowledges what it
// took; nothing is redelivered to the next source.
func TestStopDrains(t *testing.T) {
	b := newBed(t)
	release := make(chan struct{})
	r := &recorder{answer: func(brokerin.Message, int) brokerin.Outcome {
		<-release
		return brokerin.Outcome{Verdict: brokerin.Done}
	}}
	s := b.source(r.handle)
	b.publish(b.subject("alarm", "meter", "m-1"), `{"title":"held"}`)
	poll.Eventually(t, func() bool { return len(r.deliveries()) == 1 }, "the message was not delivered")
	stopped := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
		defer cancel()
		_ = s.Stop(ctx)
		close(stopped)
	}()
	close(release)
	<-stopped
	info := b.consumerInfo("alarm")
	if info == nil || info.NumAckPending != 0 || info.NumPending != 0 {
		t.Fatalf("after Stop the consumer holds %+v: the message taken was not acknowledged", info)
	}
}
