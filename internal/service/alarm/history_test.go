package alarm

import (
	"context"
	"net/http"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// TestEvents: an alarm's history is its own events in seq order, the latest limit of them (not
// those of the same id under another business); an unknown alarm and one outside the scope are
// alike 404, a short id of alarms of several businesses in scope 409, a malformed id 400.
func TestEvents(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		t.Parallel()
		s := open(t, node, newRecorder())
		ctx := context.Background()
		raise := func(id, business string) {
			t.Helper()
			item := model.AlarmBusinessData{AlarmId: id, BusinessType: "meter", BusinessId: business, Level: "info", Time: 1}
			if _, err := s.Raise(ctx, []model.AlarmBusinessData{item}, ""); err != nil {
				t.Fatal(err)
			}
		}
		raise("a-1", "m-1")
		raise("a-2", "m-2")
		raise("a-1", "m-1")
		raise("a-1", "m-1")
		raise("a-2", "m-2")
		a1 := model.AlarmKey{BusinessType: "meter", BusinessId: "m-1", AlarmId: "a-1"}
		if _, err := s.Ack(ctx, a1, Change{User: "ann"}, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Clear(ctx, a1, Change{User: "carl"}, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		raise("a-1", "m-9") // seq 8: another alarm of the same id

		m1 := model.ScopeOf([]model.Pattern{{Type: "meter", ID: "m-1"}})
		events, err := s.Events(ctx, model.AlarmKey{AlarmId: "a-1"}, 1000, m1)
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
		if last, _ := s.Events(ctx, a1, 2, model.Scope{}); len(last) != 2 || last[0].Seq != 6 || last[1].Seq != 7 {
			t.Errorf("the latest 2 events of a-1: %+v, want seqs 6 and 7", last)
		}
		if got, _ := s.Events(ctx, model.AlarmKey{BusinessType: "meter", BusinessId: "m-9", AlarmId: "a-1"}, 1000, model.Scope{}); len(got) != 1 || got[0].Seq != 8 {
			t.Errorf("meter/m-9's a-1: %+v, want its one event, seq 8", got)
		}

		for _, tc := range []struct {
			name   string
			ref    model.AlarmKey
			scope  model.Scope
			status int
		}{
			{"unknown", model.AlarmKey{AlarmId: "nope"}, model.Scope{}, http.StatusNotFound},
			{"unknown, in full", model.AlarmKey{BusinessType: "meter", BusinessId: "m-1", AlarmId: "nope"}, model.Scope{}, http.StatusNotFound},
			{"outside the scope", model.AlarmKey{AlarmId: "a-2"}, m1, http.StatusNotFound},
			{"outside the scope, in full", model.AlarmKey{BusinessType: "meter", BusinessId: "m-2", AlarmId: "a-2"}, m1, http.StatusNotFound},
			{"no scope at all", model.AlarmKey{AlarmId: "a-1"}, model.ScopeOf(nil), http.StatusNotFound},
			{"ambiguous", model.AlarmKey{AlarmId: "a-1"}, model.Scope{}, http.StatusConflict},
			{"malformed id", model.AlarmKey{AlarmId: "bad\x00id"}, model.Scope{}, http.StatusBadRequest},
		} {
			_, err := s.Events(ctx, tc.ref, 1000, tc.scope)
			if got := consts.HTTPStatus(gerror.Code(err)); got != tc.status {
				t.Errorf("%s: %v (HTTP %d), want HTTP %d", tc.name, err, got, tc.status)
			}
		}
	})
}
