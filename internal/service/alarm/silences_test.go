package alarm

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/silence"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// TestUnsilencedHook: when a silence ends, OnUnsilenced hears, inside the commit, of each alarm it
// left active (not of an acknowledged one), with the seq of its unsilenced event, and the node's
// Silencer already knows the silence is gone (notifications are planned in the commit); a hook that fails
// fails the commit, so the alarms stay silenced and the silence stays (the notification and the
// event are written together or not at all). SQLite, MariaDB and PostgreSQL.
func TestUnsilencedHook(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		var (
			mu    sync.Mutex
			heard []string
			fail  = true
			s     *Service
		)
		s, err := New(context.Background(), newRecorder(), Options{DB: node,
			OnUnsilenced: func(ctx context.Context, tx *sql.Tx, a *model.Alarm, seq int64) error {
				mu.Lock()
				defer mu.Unlock()
				if fail {
					return errors.New("outbox full")
				}
				if a.Silenced != nil || seq == 0 {
					t.Errorf("hook: %+v at seq %d", a, seq)
				}
				// Notifications are planned in the commit: the Silencer already says what it made.
				if s.Silencer().Silenced(*a, time.Now()) {
					t.Errorf("in the commit that deleted its silence, the Silencer still silences %s", a.AlarmId)
				}
				heard = append(heard, a.AlarmId)
				return nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		ctx := context.Background()
		if _, err := s.Raise(ctx, []model.AlarmBusinessData{{AlarmId: "u-1", BusinessType: "m", BusinessId: "b", Time: 1},
			{AlarmId: "u-2", BusinessType: "m", BusinessId: "b", Time: 1}}, ""); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UnixMilli()
		sl := &silence.Silence{ID: silence.NewID(), Matchers: silence.Matchers{Businesses: []string{"m/b"}},
			StartsAt: now, EndsAt: now + time.Hour.Milliseconds(), CreatedBy: "t", CreatedAt: now}
		if err := sl.Check(now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSilence(ctx, sl); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Ack(ctx, model.AlarmKey{BusinessType: "m", BusinessId: "b", AlarmId: "u-2"}, Change{User: "x"}, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSilence(ctx, sl.ID, model.Scope{}); err == nil {
			t.Fatal("the delete committed though its hook failed")
		}
		if got, _ := s.Silences(ctx, model.Scope{}); len(got) != 1 {
			t.Fatalf("after a failed delete: %d silences, want the one", len(got))
		}
		mu.Lock()
		fail = false
		mu.Unlock()
		if err := s.DeleteSilence(ctx, sl.ID, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(heard) != 1 || heard[0] != "u-1" {
			t.Fatalf("hook heard %v, want u-1 (u-2 is acknowledged)", heard)
		}
	})
}

// TestSilenceTimersOnce: two services on one store (two nodes) both see a silence due to end; its
// unsilenced events are committed once.
func TestSilenceTimersOnce(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		r := newRecorder()
		a, b := open(t, node, r), open(t, node, newRecorder())
		ctx := context.Background()
		if _, err := a.Raise(ctx, []model.AlarmBusinessData{{AlarmId: "o-1", BusinessType: "m", BusinessId: "b", Time: 1}}, ""); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UnixMilli()
		sl := &silence.Silence{ID: silence.NewID(), Matchers: silence.Matchers{AlarmIds: []string{"o-1"}},
			StartsAt: now, EndsAt: now + 1500, CreatedBy: "t", CreatedAt: now}
		if err := sl.Check(now); err != nil {
			t.Fatal(err)
		}
		if _, err := b.CreateSilence(ctx, sl); err != nil {
			t.Fatal(err)
		}
		poll.Eventually(t, func() bool {
			got, _ := a.Silences(ctx, model.Scope{})
			return len(got) == 0
		}, "the silence never ended")
		// Let both nodes' timers have looked once more.
		time.Sleep(2 * silenceTick)
		events, err := a.Events(ctx, model.AlarmKey{BusinessType: "m", BusinessId: "b", AlarmId: "o-1"}, 100, model.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Event)
		}
		if len(kinds) != 3 || kinds[1] != model.EventSilenced || kinds[2] != model.EventUnsilenced {
			t.Fatalf("events %v, want raised silenced unsilenced", kinds)
		}
	})
}
