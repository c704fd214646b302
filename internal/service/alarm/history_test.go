package alarm

import (
	"context"
	"net/http"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/consts"
	"pulse/internal/model"
)

// TestEvents: an alarm's history is its own events in seq order, the latest limit of them; an
// unknown alarm is 404, one outside the scope 403, a malformed id 400.
func TestEvents(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		t.Parallel()
		s := open(t, node, newRecorder())
		ctx := context.Background()
		raise := func(id, business string) {
			t.Helper()
			item := model.AlarmBusinessData{AlarmId: id, BusinessType: "meter", BusinessId: business, Level: "info", Time: 1}
			if _, err := s.Raise(ctx, []model.AlarmBusinessData{item}); err != nil {
				t.Fatal(err)
			}
		}
		raise("a-1", "m-1")
		raise("a-2", "m-2")
		raise("a-1", "m-1")
		raise("a-1", "m-1")
		raise("a-2", "m-2")
		if _, err := s.Ack(ctx, "a-1", "ann", model.Scope{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Clear(ctx, "a-1", model.Scope{}); err != nil {
			t.Fatal(err)
		}

		events, err := s.Events(ctx, "a-1", 1000, model.ScopeOf([]model.Pattern{{Type: "meter", ID: "m-1"}}))
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			seq   int64
			event string
		}{{1, "raised"}, {3, "repeated"}, {4, "repeated"}, {6, "acked"}, {7, "cleared"}}
		if len(events) != len(want) {
			t.Fatalf("a-1 has %d events, want %d: %+v", len(events), len(want), events)
		}
		for i, e := range events {
			if e.Seq != want[i].seq || e.Event != want[i].event || e.Type != "alarm" || e.Data.AlarmId != "a-1" {
				t.Errorf("event %d: seq %d %s of %s, want seq %d %s of a-1", i, e.Seq, e.Event, e.Data.AlarmId, want[i].seq, want[i].event)
			}
		}
		if last, _ := s.Events(ctx, "a-1", 2, model.Scope{}); len(last) != 2 || last[0].Seq != 6 || last[1].Seq != 7 {
			t.Errorf("the latest 2 events of a-1: %+v, want seqs 6 and 7", last)
		}

		for _, tc := range []struct {
			name, id string
			scope    model.Scope
			status   int
		}{
			{"unknown", "nope", model.Scope{}, http.StatusNotFound},
			{"outside the scope", "a-2", model.ScopeOf([]model.Pattern{{Type: "meter", ID: "m-1"}}), http.StatusForbidden},
			{"no scope at all", "a-1", model.ScopeOf(nil), http.StatusForbidden},
			{"malformed id", "bad\x00id", model.Scope{}, http.StatusBadRequest},
		} {
			_, err := s.Events(ctx, tc.id, 1000, tc.scope)
			if got := consts.HTTPStatus(gerror.Code(err)); got != tc.status {
				t.Errorf("%s: %v (HTTP %d), want HTTP %d", tc.name, err, got, tc.status)
			}
		}
	})
}
