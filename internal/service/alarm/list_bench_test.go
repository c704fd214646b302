package alarm

import (
	"context"
	"fmt"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// BenchmarkListNarrow lists and replays, for a token whose pattern covers 10 alarms (meter/m-1),
// a SQLite store that holds 50,000 alarms of other businesses beside them, half of them of the
// same business type (meter/o-*): the cost of a narrow token's list, resume (since=0) and state
// replay, which should follow the 10 alarms it gets, not the 50,000 it does not. (A resume reads
// the index entries of the token's business types: see pulse_alarm_event_business.) Then pages of
// 100 of the whole list of 50,010 (all with the same lastTime, so first_seq orders them): the
// first, one deep in it by its cursor, the first of the active ones, and one of a lastTime range:
// each should cost what a page holds, wherever it is.
//
//	go test -run xxx -bench ListNarrow -count 5 ./internal/service/alarm/
func BenchmarkListNarrow(b *testing.B) {
	bb := bus.NewMemory()
	bb.Subscribe(func(bus.Event) {}, nil)
	s, err := New(context.Background(), bb, Options{DB: gdb.ConfigNode{
		Link: "sqlite::@file(" + b.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	const others, mine = 50000, 10
	for i := 0; i < others; i += 1000 {
		items := make([]model.AlarmBusinessData, 1000)
		for j := range items {
			typ := "other"
			if (i+j)%2 == 0 {
				typ = "meter" // of the token's business type, another id
			}
			items[j] = model.AlarmBusinessData{AlarmId: fmt.Sprint("o-", i+j), BusinessType: typ,
				BusinessId: fmt.Sprint("o-", (i+j)%500), Level: model.LevelMajor, Title: "another business's alarm", Time: 1}
		}
		raiseForBench(b, s, items)
	}
	items := make([]model.AlarmBusinessData, mine)
	for j := range items {
		items[j] = model.AlarmBusinessData{AlarmId: fmt.Sprint("m-", j), BusinessType: "meter", BusinessId: "m-1",
			Level: model.LevelMajor, Title: "mine", Time: 1}
	}
	raiseForBench(b, s, items)
	scope := model.ScopeOf([]model.Pattern{{Type: "meter", ID: "m-1"}})
	ctx := context.Background()
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			if list, _, err := s.List(ctx, ListQuery{Limit: 1000}, scope); err != nil || len(list) != mine {
				b.Fatalf("%d alarms, %v", len(list), err)
			}
		}
	})
	// Pages of the whole list, 50,010 alarms: the first, one deep in it (by its cursor), the
	// first of one status, and one of a lastTime range. Each should cost about what a page holds.
	all := model.Scope{}
	_, deep, err := s.List(ctx, ListQuery{Limit: 1000, After: &Cursor{LastMs: 1, FirstSeq: 30000}}, all)
	if err != nil || deep == nil {
		b.Fatalf("a page deep in the list: %v, cursor %v", err, deep)
	}
	from, to := int64(1), int64(1)
	for _, c := range []struct {
		name string
		q    ListQuery
	}{
		{"page", ListQuery{Limit: 100}},
		{"page-deep", ListQuery{Limit: 100, After: deep}},
		{"page-active", ListQuery{Limit: 100, Statuses: []string{model.StatusActive}}},
		{"page-unresolved", ListQuery{Limit: 100, Statuses: []string{model.StatusActive, model.StatusAcked}}},
		{"page-type", ListQuery{Limit: 100, Business: &model.Pattern{Type: "meter", ID: model.Wildcard}}},
		{"page-range", ListQuery{Limit: 100, From: &from, To: &to}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if list, _, err := s.List(ctx, c.q, all); err != nil || len(list) != 100 {
					b.Fatalf("%d alarms, %v", len(list), err)
				}
			}
		})
	}
	for _, resume := range []bool{true, false} {
		b.Run(map[bool]string{true: "resume", false: "state"}[resume], func(b *testing.B) {
			for b.Loop() {
				n := 0
				if _, err := s.Replay(0, resume, scope)(func([]byte) error { n++; return nil }); err != nil || n != 2 {
					b.Fatalf("%d frames, %v", n, err)
				}
			}
		})
	}
}

// raiseForBench stores items as ingest does.
func raiseForBench(b *testing.B, s *Service, items []model.AlarmBusinessData) {
	if _, err := s.Raise(context.Background(), items, ""); err != nil {
		b.Fatal(err)
	}
}
