package alarm

import (
	"context"
	"encoding/json"

	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/consts"
	"pulse/internal/dao"
	"pulse/internal/model"
	"pulse/internal/model/entity"
)

// Events returns the stored events of one alarm, in seq order: the latest limit of them (retention
// may have purged older ones). An unknown alarm is not found (404), one that scope does not cover
// is refused (403), as an acknowledgement would be.
func (s *Service) Events(ctx context.Context, alarmId string, limit int, scope model.Scope) ([]model.AlarmMessage, error) {
	if err := model.CheckName(alarmId); err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "alarmId: %v", err)
	}
	state, err := s.store.state(ctx, alarmId)
	switch {
	case err != nil:
		return nil, unavailable(err)
	case state == nil:
		return nil, notFound(alarmId)
	}
	var a model.Alarm
	if err := json.Unmarshal(state, &a); err != nil {
		return nil, gerror.Wrap(err, "alarm store: a stored state is not valid JSON")
	}
	if !scope.Covers(a.BusinessType, a.BusinessId) {
		return nil, gerror.NewCodef(consts.CodeForbidden, "alarm %q is not in your token's alarms patterns", alarmId)
	}
	frames, err := s.store.eventsOf(ctx, alarmId, limit)
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]model.AlarmMessage, len(frames))
	for i, f := range frames {
		if err := json.Unmarshal([]byte(f), &out[i]); err != nil {
			return nil, gerror.Wrap(err, "alarm store: a stored event is not valid JSON")
		}
	}
	return out, nil
}

// state is the stored state (JSON) of one alarm; nil when there is none.
func (s *store) state(ctx context.Context, alarmId string) ([]byte, error) {
	c := dao.PulseAlarm.Columns()
	v, err := s.db.Model(dao.PulseAlarm.Table()).Ctx(ctx).Fields(c.State).Where(c.AlarmId, alarmId).Value()
	if err != nil || v.IsNil() {
		return nil, err
	}
	return v.Bytes(), nil
}

// eventsOf is the messages of the latest limit events of one alarm, in seq order.
func (s *store) eventsOf(ctx context.Context, alarmId string, limit int) ([]string, error) {
	c := dao.PulseAlarmEvent.Columns()
	var rows []entity.PulseAlarmEvent
	err := s.db.Model(dao.PulseAlarmEvent.Table()).Ctx(ctx).Fields(c.Frame).Where(c.AlarmId, alarmId).
		OrderDesc(c.Seq).Limit(limit).Scan(&rows)
	if err != nil {
		return nil, err
	}
	frames := make([]string, len(rows))
	for i, r := range rows {
		frames[len(rows)-1-i] = r.Frame
	}
	return frames, nil
}
