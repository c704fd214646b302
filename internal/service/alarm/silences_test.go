package alarm

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/silence"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// TestUnsilencedIsPlanned: the commit that ends a silence plans, in its transaction, the
// unsilenced notification of each alarm it left active (not of an acknowledged one), with the seq
// of its unsilenced event: the node's Silencer already knows the silence is gone when the commit
// plans. While the silence holds, the alarms' events plan nothing. SQLite, MariaDB and PostgreSQL.
func TestUnsilencedIsPlanned(t *testing.T) {
	eachDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		hook, err := notify.NewOutlet(notify.OutletConfig{Name: "hook", Type: "webhook", URL: "http://127.0.0.1:9/hook",
			Secrets: []string{"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}})
		if err != nil {
			t.Fatal(err)
		}
		cfg := notify.DefaultConfig()
		cfg.Routes = []notify.Route{{Name: "all", To: []string{"hook"}, Resolved: true}}
		router := notify.NewRouter(cfg, map[string]notify.Outlet{"hook": hook}, nil)
		s, err := New(context.Background(), newRecorder(), Options{DB: node, Notify: router})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		router.SetSilencer(s.Silencer())
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
		if err := s.DeleteSilence(ctx, sl.ID, model.Scope{}); err != nil {
			t.Fatal(err)
		}
		rows, err := s.store.db.GetAll(ctx, "SELECT alarm_id, kind, seq FROM pulse_notify_outbox ORDER BY seq")
		if err != nil {
			t.Fatal(err)
		}
		var planned []string
		var unsilencedSeq int64
		for _, r := range rows {
			planned = append(planned, r["alarm_id"].String()+":"+r["kind"].String())
			if r["kind"].String() == notify.KindUnsilenced {
				unsilencedSeq = r["seq"].Int64()
			}
		}
		if strings.Join(planned, ",") != "u-1:raised,u-2:raised,u-1:unsilenced" {
			t.Fatalf("planned %v, want the raises and u-1's unsilenced (u-2 is acknowledged; nothing while silenced)", planned)
		}
		events, err := s.Events(ctx, model.AlarmKey{BusinessType: "m", BusinessId: "b", AlarmId: "u-1"}, 1, model.Scope{})
		if err != nil || len(events) != 1 || events[0].Event != model.EventUnsilenced || events[0].Seq != unsilencedSeq {
			t.Fatalf("u-1's latest event %+v (%v), want unsilenced at seq %d", events, err, unsilencedSeq)
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
