package alarm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/model"
	schema "github.com/pulse-monitoring/pulse/manifest/sql"
)

// v1Store creates, in node's database, the store of the release before schema versions
// (testdata/v1: manifest/sql as that release shipped it) and writes into it what that release
// wrote for these events, in this order: meter/m-1's a-1 raised (1), pump/p-7's a-2 raised (2),
// a-1 repeated (3) and acknowledged by ann (4), a-3 of no type raised (5) and cleared (6).
func v1Store(t *testing.T, node gdb.ConfigNode) {
	t.Helper()
	ctx := context.Background()
	db, err := gdb.New(node)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	ddl, err := os.ReadFile("testdata/v1/" + dialectOf(db) + "/pulse.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(schemaText(string(ddl)), ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			if _, err := db.Exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
	alarm := func(id, typ, bid string) *model.Alarm {
		return &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: id, BusinessType: typ, BusinessId: bid,
			Level: model.LevelMajor, Title: "title of " + id, Time: 1000}, Status: model.StatusActive, Count: 1, FirstTime: 1000, LastTime: 1000}
	}
	a1, a2, a3 := alarm("a-1", "meter", "m-1"), alarm("a-2", "pump", "p-7"), alarm("a-3", "", "u-1")
	event := func(seq int64, a *model.Alarm, what string) {
		t.Helper()
		state, err := model.Encode(a)
		if err != nil {
			t.Fatal(err)
		}
		frame := alarmFrame(seq, 2000+seq, what, state)
		if _, err := db.Exec(ctx, "INSERT INTO pulse_alarm_event (seq, alarm_id, created_ms, frame) VALUES (?, ?, ?, ?)",
			seq, a.AlarmId, 2000+seq, string(frame)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "DELETE FROM pulse_alarm WHERE alarm_id = ?", a.AlarmId); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "INSERT INTO pulse_alarm (alarm_id, seq, status, changed_ms, state) VALUES (?, ?, ?, ?, ?)",
			a.AlarmId, seq, a.Status, 2000+seq, string(state)); err != nil {
			t.Fatal(err)
		}
	}
	event(1, a1, model.EventRaised)
	event(2, a2, model.EventRaised)
	a1.Count, a1.LastTime = 2, 1500
	event(3, a1, model.EventRepeated)
	a1.Status, a1.AckedBy, a1.AckTime = model.StatusAcked, "ann", 2004
	event(4, a1, model.EventAcked)
	event(5, a3, model.EventRaised)
	a3.Status = model.StatusCleared
	event(6, a3, model.EventCleared)
	if _, err := db.Exec(ctx, "UPDATE pulse_alarm_seq SET seq = 6 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
}

// schemaText is sql without its "--" comments.
func schemaText(sql string) string {
	lines := strings.Split(sql, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "--"); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}

// seqsOf replays for scope (resume from since, or the state without) and returns the seqs sent.
func seqsOf(t *testing.T, s *Service, since int64, resume bool, scope model.Scope) []int64 {
	t.Helper()
	var seqs []int64
	_, err := s.Replay(since, resume, scope)(func(frame []byte) error {
		for _, line := range strings.Split(string(frame), "\n") {
			var m model.AlarmMessage
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				return err
			}
			if m.Type == model.TypeAlarm {
				seqs = append(seqs, m.Seq)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// TestMigrateFromVersion1: a store of the previous release, with its alarms, events and seq, is
// moved forward when the store opens on it: every alarm, event and seq is there, the business
// columns are filled (a narrow scope replays and lists its own), the next raise continues the
// seq and repeats the stored alarm, and the store opens again as it is.
func TestMigrateFromVersion1(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		t.Parallel()
		v1Store(t, node)
		ctx := context.Background()
		s := open(t, node, newRecorder())

		if last, _, err := s.store.position(ctx); err != nil || last != 6 {
			t.Fatalf("last seq %d, %v; want 6", last, err)
		}
		list, _, err := s.List(ctx, ListQuery{Limit: 10}, model.Scope{})
		if err != nil || len(list) != 3 {
			t.Fatalf("list: %v %+v", err, list)
		}
		// Newest lastTime first (a-1's is 1500, the others' 1000), then the row stored later.
		if ids := alarmIds(list); !slices.Equal(ids, []string{"a-1", "a-3", "a-2"}) {
			t.Errorf("the list's order after the move: %v, want a-1, a-3, a-2", ids)
		}
		// The list's columns are filled from the stored states.
		from := int64(1200)
		for _, c := range []struct {
			name string
			q    ListQuery
			want []string
		}{
			{"the text of a title, in upper case", ListQuery{Text: "TITLE OF A-2"}, []string{"a-2"}},
			{"level major", ListQuery{Levels: []string{model.LevelMajor}}, []string{"a-1", "a-3", "a-2"}},
			{"level critical", ListQuery{Levels: []string{model.LevelCritical}}, nil},
			{"lastTime from 1200", ListQuery{From: &from}, []string{"a-1"}},
			{"cleared", ListQuery{Statuses: []string{model.StatusCleared}}, []string{"a-3"}},
		} {
			c.q.Limit = 10
			if got, _, err := s.List(ctx, c.q, model.Scope{}); err != nil || !slices.Equal(alarmIds(got), c.want) {
				t.Errorf("list, %s: %v %v, want %v", c.name, alarmIds(got), err, c.want)
			}
		}
		if a := list[0]; a.AlarmId != "a-1" || a.BusinessType != "meter" || a.Status != model.StatusAcked || a.Count != 2 || a.AckedBy != "ann" {
			t.Errorf("a-1 after the move: %+v", a)
		}
		meters := model.ScopeOf([]model.Pattern{{Type: "meter", ID: model.Wildcard}})
		if got, _, err := s.List(ctx, ListQuery{Limit: 10}, meters); err != nil || len(got) != 1 || got[0].AlarmId != "a-1" {
			t.Errorf("meter/*'s list: %v %+v, want a-1", err, got)
		}
		events, err := s.Events(ctx, model.AlarmKey{BusinessType: "meter", BusinessId: "m-1", AlarmId: "a-1"}, 100, model.Scope{})
		if err != nil || len(events) != 3 || events[0].Seq != 1 || events[2].Event != model.EventAcked {
			t.Errorf("a-1's events: %v %+v, want seqs 1, 3 and 4", err, events)
		}
		for _, c := range []struct {
			name   string
			since  int64
			resume bool
			scope  model.Scope
			want   []int64
		}{
			{"everything since 0", 0, true, model.Scope{}, []int64{1, 2, 3, 4, 5, 6}},
			{"meter/* since 0", 0, true, meters, []int64{1, 3, 4}},
			{"pump/p-7 since 1", 1, true, model.ScopeOf([]model.Pattern{{Type: "pump", ID: "p-7"}}), []int64{2}},
			{"* without a type since 4", 4, true, model.ScopeOf([]model.Pattern{{}}), []int64{5, 6}},
			{"the state", 0, false, model.Scope{}, []int64{2, 4}},
			{"pump/*'s state", 0, false, model.ScopeOf([]model.Pattern{{Type: "pump", ID: model.Wildcard}}), []int64{2}},
		} {
			if got := seqsOf(t, s, c.since, c.resume, c.scope); !slices.Equal(got, c.want) {
				t.Errorf("replay, %s: %v, want %v", c.name, got, c.want)
			}
		}

		r, err := s.Raise(ctx, []model.AlarmBusinessData{
			{AlarmId: "a-1", BusinessType: "meter", BusinessId: "m-1", Level: model.LevelMajor, Time: 3000},
			{AlarmId: "a-1", BusinessType: "pump", BusinessId: "p-7", Level: model.LevelMajor, Time: 3000},
		}, "")
		if err != nil || r[0].Seq != 7 || r[1].Seq != 8 {
			t.Fatalf("raises after the move: %v %+v, want seqs 7 and 8", err, r)
		}
		if got, _, _ := s.List(ctx, ListQuery{Limit: 10}, meters); len(got) != 1 || got[0].Count != 3 || got[0].Status != model.StatusAcked {
			t.Errorf("a-1 raised again: %+v, want a repeat (count 3, still acknowledged)", got)
		}
		if v, err := schemaVersion(ctx, s.store.db); err != nil || v != schema.Version {
			t.Errorf("schema version %d, %v; want %d", v, err, schema.Version)
		}
		_ = s.Close(ctx)

		s = open(t, node, newRecorder())
		if list, _, err := s.List(ctx, ListQuery{Limit: 10}, model.Scope{}); err != nil || len(list) != 4 {
			t.Fatalf("opened again: %v, %d alarms, want 4", err, len(list))
		}
	})
}

// TestNewerSchemaRefused: a store written by a release that knows a later schema version is not
// opened: this binary would write it wrongly.
func TestNewerSchemaRefused(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		ctx := context.Background()
		s := open(t, node, newRecorder())
		if _, err := s.store.db.Exec(ctx, "UPDATE pulse_schema SET version = ? WHERE id = 1", schema.Version+1); err != nil {
			t.Fatal(err)
		}
		_ = s.Close(ctx)
		_, err := New(ctx, newRecorder(), Options{DB: node})
		want := fmt.Sprintf("the database's schema is version %d, newer than this binary knows (%d)", schema.Version+1, schema.Version)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("opening a newer store: %v, want %q", err, want)
		}
	})
}

// TestEveryDialectHasEveryStep: each schema version after 1 has its step in every dialect.
func TestEveryDialectHasEveryStep(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "pgsql"} {
		for v := 2; v <= schema.Version; v++ {
			if _, err := schema.Step(dialect, v); err != nil {
				t.Error(err)
			}
		}
	}
}

// alarmIds are the ids of alarms, in order.
func alarmIds(alarms []model.Alarm) []string {
	var ids []string
	for _, a := range alarms {
		ids = append(ids, a.AlarmId)
	}
	return ids
}
