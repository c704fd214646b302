package alarm

import (
	"context"
	"strings"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/silence"
)

// silenceTick is how often a node looks at the store's silences: whether another node changed
// them (its copy is read again), and which are due to start or end. A silence starts or ends
// within about this long of its time; notifications follow the times exactly (see
// silence.Silence.ActiveAt).
const silenceTick = time.Second

// Silencer is the node's copy of the silences: whether an alarm's notifications are held back
// (notify's Silencer).
func (s *Service) Silencer() *silence.Set { return s.store.silences }

// CreateSilence stores sl (checked: silence.Silence.Check, and within its creator's scope) and,
// when it is due, marks the alarms it selects (a silenced event each), in one commit. A silence
// until cleared of an alarm that is not active is a conflict (409).
func (s *Service) CreateSilence(ctx context.Context, sl *silence.Silence) (*silence.Silence, error) {
	o := &op{kind: opSilence, work: &silenceWork{action: silenceCreate, s: sl}}
	if err := s.submit([]*op{o}); err != nil {
		return nil, err
	}
	if o.err != nil {
		return nil, o.err
	}
	return o.work.s, nil
}

// DeleteSilence ends the silence id now: the alarms it holds are unsilenced (and those left
// active notified again). One that is not there, ended, or not within scope is not found (404).
func (s *Service) DeleteSilence(ctx context.Context, id string, scope model.Scope) error {
	o := &op{kind: opSilence, work: &silenceWork{action: silenceDelete, id: id, scope: scope}}
	if err := s.submit([]*op{o}); err != nil {
		return err
	}
	return o.err
}

// Silences are the silences not ended whose businesses are all within scope, oldest first, as
// the store holds them now (a silence another node made a moment ago is among them).
func (s *Service) Silences(ctx context.Context, scope model.Scope) ([]*silence.Silence, error) {
	if err := s.store.refreshSilences(ctx); err != nil {
		return nil, unavailable(err)
	}
	_, list := s.store.silences.Snapshot()
	out := make([]*silence.Silence, 0, len(list))
	for _, sl := range list {
		if sl.Within(scope) {
			out = append(out, sl)
		}
	}
	return out, nil
}

// refreshSilences reads the silences again when the store's generation is not the node's copy's.
func (st *store) refreshSilences(ctx context.Context) error {
	v, err := st.db.GetValue(ctx, "SELECT gen FROM pulse_silence_gen WHERE id = 1")
	if err != nil {
		return err
	}
	if gen, _ := st.silences.Snapshot(); gen == v.Int64() {
		return nil
	}
	// The generation and the rows in one transaction, so that the copy is of the generation it says.
	return st.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		gv, err := tx.GetValue("SELECT gen FROM pulse_silence_gen WHERE id = 1")
		if err != nil {
			return err
		}
		rows, err := tx.GetAll("SELECT " + silenceCols + " FROM pulse_silence WHERE phase < 2 ORDER BY created_ms, id")
		if err != nil {
			return err
		}
		list := make([]*silence.Silence, 0, len(rows))
		for _, r := range rows {
			sl, err := scanSilence(recordScanner(r))
			if err != nil {
				return err
			}
			list = append(list, sl)
		}
		st.silences.Replace(gv.Int64(), list)
		return nil
	})
}

// silenceLoop keeps the node's copy of the silences current and commits the starts and ends
// that are due, until Close.
func (s *Service) silenceLoop() {
	defer s.purging.Done()
	t := time.NewTicker(silenceTick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.store.refreshSilences(ctx); err != nil {
			g.Log().Warningf(ctx, "silences: reading them from the store: %v; again in %s", err, silenceTick)
		}
		cancel()
		s.commitDue(s.now().UnixMilli())
	}
}

// commitDue submits the starts and ends of silences due at now. Every node does; the commit of
// the first does it, the others find nothing to do.
func (s *Service) commitDue(now int64) {
	_, list := s.store.silences.Snapshot()
	var ops []*op
	for _, sl := range list {
		switch {
		case !sl.UntilCleared && sl.EndsAt <= now:
			ops = append(ops, &op{kind: opSilence, work: &silenceWork{action: silenceEnd, id: sl.ID}})
		case !sl.Started && sl.StartsAt <= now:
			ops = append(ops, &op{kind: opSilence, work: &silenceWork{action: silenceStart, id: sl.ID}})
		}
	}
	if len(ops) == 0 {
		return
	}
	if err := s.submit(ops); err != nil && !gerror.HasCode(err, consts.CodeUnavailable) {
		g.Log().Warningf(context.Background(), "silences: starting or ending: %v", err)
	}
}

// recordScanner scans a row read by gdb as scanSilence expects: the columns of silenceCols, in order.
type recordScanner gdb.Record

func (r recordScanner) Scan(dest ...any) error {
	cols := strings.Split(silenceCols, ", ")
	for i, d := range dest {
		v := r[cols[i]]
		switch p := d.(type) {
		case *string:
			*p = v.String()
		case *int64:
			*p = v.Int64()
		case *int:
			*p = v.Int()
		}
	}
	return nil
}
