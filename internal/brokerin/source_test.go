package brokerin_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/brokerin/topic"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// source is a brokerin source over a real node's ingest service.
func source(t *testing.T, n *pulsenode.Node, businesses ...string) *brokerin.Source {
	t.Helper()
	s, err := brokerin.New(brokerin.Options{Name: "mqtt", Businesses: businesses, Ingest: n.Ingest, MaxPayload: 4096})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// message is a message on topic pulse/<kind>/<typ>/<id>.
func message(kind brokerin.Kind, typ, id, payload string) brokerin.Message {
	return brokerin.Message{Kind: kind, Topic: "pulse/" + string(kind) + "/" + typ + "/" + id,
		Business: topic.Values{Type: typ, ID: id, HasType: true, HasID: true}, Payload: []byte(payload)}
}

func TestRowDataFromTheTopicReachesDashboards(t *testing.T) {
	n := pulsenode.Start(t, nil)
	s := source(t, n)
	dash := n.Dial(pulsenode.RowPath("meter", "m-1", "u"))
	n.WaitConnections(1, 0)
	if out := s.Handle(context.Background(), message(brokerin.RowData, "meter", "m-1", `{"data":{"v":1}}`)); out.Verdict != brokerin.Done {
		t.Fatalf("row data: %+v", out)
	}
	o := dash.Next(pulsenode.Patience)
	var d model.BusinessData
	if err := json.Unmarshal(o.Data, &d); err != nil || d.BusinessType != "meter" || d.BusinessId != "m-1" || string(d.Data) != `{"v":1}` {
		t.Fatalf("dashboard got %s (%v); want meter/m-1 {\"v\":1}", o.Raw, err)
	}
}

func TestAlarmEventIdCountsOnce(t *testing.T) {
	n := pulsenode.Start(t, nil)
	s := source(t, n)
	m := message(brokerin.Alarm, "meter", "m-1", `{"alarmId":"a-1","title":"hot","eventId":"ev-1"}`)
	first := s.Handle(context.Background(), m)
	m.Redelivered = true
	again := s.Handle(context.Background(), m)
	if first.Verdict != brokerin.Done || first.Replayed || again.Verdict != brokerin.Done || !again.Replayed {
		t.Fatalf("first %+v, again %+v; want done, then done as a replay", first, again)
	}
	a := n.StoredAlarm("a-1")
	if a == nil || a.Count != 1 || a.BusinessType != "meter" || a.BusinessId != "m-1" {
		t.Fatalf("stored %+v; want meter/m-1 raised once", a)
	}
	// The same payload and eventId on another business's topic is another message: refused as
	// a reuse of the eventId, never taken for a repeat.
	other := message(brokerin.Alarm, "meter", "m-2", `{"alarmId":"a-1","title":"hot","eventId":"ev-1"}`)
	if out := s.Handle(context.Background(), other); out.Verdict != brokerin.Refused || out.Reason != brokerin.ReasonReused {
		t.Fatalf("another business with the same eventId: %+v; want refused (%s)", out, brokerin.ReasonReused)
	}
	snap := s.Stats().Snapshot()
	if snap.Alarms != 3 || snap.Duplicates != 1 || snap.Redelivered != 1 {
		t.Fatalf("counted %+v; want 3 alarms, 1 duplicate, 1 redelivered", snap)
	}
}

func TestSubstitutedTokensTakeThePayloadsName(t *testing.T) {
	n := pulsenode.Start(t, nil)
	s := source(t, n)
	m := message(brokerin.Alarm, brokerin.Substitute, brokerin.Substitute,
		`{"alarmId":"a-dot","businessType":"meter.v2","businessId":"m 1","title":"x"}`)
	if out := s.Handle(context.Background(), m); out.Verdict != brokerin.Done {
		t.Fatalf("%+v", out)
	}
	if got := n.List("business=meter.v2/*"); len(got) != 1 || got[0].BusinessId != "m 1" {
		t.Fatalf("stored %+v; want one alarm of meter.v2/m 1", got)
	}
}

func TestRefusals(t *testing.T) {
	n := pulsenode.Start(t, nil)
	s := source(t, n, "meter/*")
	for _, c := range []struct {
		name   string
		m      brokerin.Message
		reason string
	}{
		{"bad JSON", message(brokerin.Alarm, "meter", "m-1", `{"title":`), brokerin.ReasonInvalid},
		{"unknown field", message(brokerin.Alarm, "meter", "m-1", `{"titel":"x"}`), brokerin.ReasonInvalid},
		{"invalid level", message(brokerin.Alarm, "meter", "m-1", `{"level":"urgent"}`), brokerin.ReasonInvalid},
		{"too large", message(brokerin.RowData, "meter", "m-1", `{"data":"`+strings.Repeat("x", 5000)+`"}`), brokerin.ReasonTooLarge},
		{"payload names another business", message(brokerin.Alarm, "meter", "m-1", `{"businessId":"m-2"}`), brokerin.ReasonTopic},
		{"payload names another type", message(brokerin.RowData, "meter", "m-1", `{"businessType":"pump"}`), brokerin.ReasonTopic},
		{"outside the businesses", message(brokerin.Alarm, "pump", "p-1", `{"title":"x"}`), brokerin.ReasonScope},
		{"reserved type", message(brokerin.Alarm, "pulse", "notify", `{"alarmId":"hook"}`), brokerin.ReasonReserved},
		{"eventId in a batch", message(brokerin.RowData, "meter", "m-1", `{"items":[{"eventId":"e"}]}`), brokerin.ReasonInvalid},
		{"eventId not printable ASCII", message(brokerin.Alarm, "meter", "m-1", `{"eventId":"é"}`), brokerin.ReasonInvalid},
		{"eventId too long", message(brokerin.Alarm, "meter", "m-1", `{"eventId":"`+strings.Repeat("e", 129)+`"}`), brokerin.ReasonInvalid},
	} {
		out := s.Handle(context.Background(), c.m)
		if out.Verdict != brokerin.Refused || out.Reason != c.reason || out.Err == nil {
			t.Errorf("%s: %+v; want refused (%s)", c.name, out, c.reason)
		}
	}
	// An eventId used again for another message is refused, the first stays.
	first := message(brokerin.Alarm, "meter", "m-1", `{"alarmId":"a-1","eventId":"e-1"}`)
	reused := message(brokerin.Alarm, "meter", "m-1", `{"alarmId":"a-2","eventId":"e-1"}`)
	if out := s.Handle(context.Background(), first); out.Verdict != brokerin.Done {
		t.Fatalf("first: %+v", out)
	}
	if out := s.Handle(context.Background(), reused); out.Verdict != brokerin.Refused || out.Reason != brokerin.ReasonReused {
		t.Fatalf("eventId reused: %+v; want refused (%s)", out, brokerin.ReasonReused)
	}
	if ids := n.ListIds("status=active"); len(ids) != 1 || ids[0] != "a-1" {
		t.Fatalf("stored %v; want only a-1: nothing refused was stored", ids)
	}
	refused := s.Stats().Snapshot().Refused
	if refused[brokerin.ReasonInvalid] != 6 || refused[brokerin.ReasonTopic] != 2 || refused[brokerin.ReasonScope] != 1 ||
		refused[brokerin.ReasonReserved] != 1 || refused[brokerin.ReasonTooLarge] != 1 || refused[brokerin.ReasonReused] != 1 {
		t.Fatalf("refusals counted %v", refused)
	}
}

func TestStoreThatCannotWriteIsRetried(t *testing.T) {
	n := pulsenode.Start(t, nil)
	s := source(t, n)
	if err := n.Alarms.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := s.Handle(context.Background(), message(brokerin.Alarm, "meter", "m-1", `{"alarmId":"a-1","eventId":"e"}`))
	if out.Verdict != brokerin.Retry || out.Err == nil {
		t.Fatalf("alarm into a closed store: %+v; want retry", out)
	}
	if s.Stats().Snapshot().Retries != 1 {
		t.Fatal("the retry was not counted")
	}
}
