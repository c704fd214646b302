package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// MaxBulk is the most alarms one bulk acknowledgement or clear names.
const MaxBulk = 500

// Outcome is what one alarm of a bulk change became: its state after it, or why it was refused
// (the error the change of that alarm alone would have been answered with).
type Outcome struct {
	State *model.Alarm
	Err   error
}

// AckMany acknowledges the alarms keys name (full keys: type, id and alarm id), each on its own,
// as ch says: an unknown alarm, or one scope does not cover, is not found; a cleared one is a
// conflict; the others are acknowledged. The changes are one request to the committer, so one
// transaction, and their events reach consoles in the order of keys. The error is for the whole:
// a key or ch that is not valid (400), or the store failing (503).
func (s *Service) AckMany(ctx context.Context, keys []model.AlarmKey, ch Change, scope model.Scope) ([]Outcome, error) {
	if err := ch.check(false); err != nil {
		return nil, err
	}
	return s.changeMany(opAck, keys, ch, scope)
}

// ClearMany clears the alarms keys name, each on its own, as ch says (its user may be empty), as
// AckMany acknowledges them; clearing a cleared alarm changes nothing.
func (s *Service) ClearMany(ctx context.Context, keys []model.AlarmKey, ch Change, scope model.Scope) ([]Outcome, error) {
	if err := ch.check(true); err != nil {
		return nil, err
	}
	return s.changeMany(opClear, keys, ch, scope)
}

func (s *Service) changeMany(kind opKind, keys []model.AlarmKey, ch Change, scope model.Scope) ([]Outcome, error) {
	if len(keys) == 0 || len(keys) > MaxBulk {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "alarms: %d given, 1 to %d allowed", len(keys), MaxBulk)
	}
	out := make([]Outcome, len(keys))
	ops := make([]*op, 0, len(keys))
	at := make([]int, 0, len(keys)) // the index in keys of each op
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			return nil, gerror.NewCodef(consts.CodeInvalidInput, "alarms[%d].%v", i, err)
		}
		if !scope.Covers(k.BusinessType, k.BusinessId) {
			out[i].Err = notFound(k) // as an unknown one: nothing is told of other businesses
			continue
		}
		ops = append(ops, &op{kind: kind, key: k, user: ch.User, comment: ch.Comment, scope: scope})
		at = append(at, i)
	}
	if len(ops) > 0 {
		if err := s.submit(ops); err != nil {
			return nil, err
		}
	}
	for j, o := range ops {
		out[at[j]] = Outcome{State: o.state, Err: o.err}
	}
	return out, nil
}

// checkKey reports why k cannot name an alarm in full: each part a name by model.CheckName (the
// business type may be empty, as an alarm's may).
func checkKey(k model.AlarmKey) error {
	if k.BusinessType != "" {
		if err := model.CheckName(k.BusinessType); err != nil {
			return gerror.Newf("businessType: %v", err)
		}
	}
	if err := model.CheckName(k.BusinessId); err != nil {
		return gerror.Newf("businessId: %v", err)
	}
	if err := model.CheckName(k.AlarmId); err != nil {
		return gerror.Newf("alarmId: %v", err)
	}
	return nil
}
