package alarm

import (
	"context"
	"encoding/json"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/model/entity"
)

// Events returns the stored events of one alarm, named by ref as Resolve takes it, in seq order:
// the latest limit of them (retention may have purged older ones). An unknown alarm, and one scope
// does not cover, is not found (404).
func (s *Service) Events(ctx context.Context, ref model.AlarmKey, limit int, scope model.Scope) ([]model.AlarmMessage, error) {
	key, err := s.Resolve(ctx, ref, scope)
	if err != nil {
		return nil, err
	}
	frames, err := s.store.eventsOf(ctx, key, limit)
	switch {
	case err != nil:
		return nil, unavailable(err)
	case len(frames) == 0: // every alarm stored keeps its latest event
		return nil, notFound(ref)
	}
	out := make([]model.AlarmMessage, len(frames))
	for i, f := range frames {
		if err := json.Unmarshal([]byte(f), &out[i]); err != nil {
			return nil, gerror.Wrap(err, "alarm store: a stored event is not valid JSON")
		}
	}
	return out, nil
}

// eventsOf is the messages of the latest limit events of the alarm key, in seq order.
func (s *store) eventsOf(ctx context.Context, key model.AlarmKey, limit int) ([]string, error) {
	c := dao.PulseAlarmEvent.Columns()
	var rows []entity.PulseAlarmEvent
	err := s.db.Model(dao.PulseAlarmEvent.Table()).Ctx(ctx).Fields(c.Frame).
		Where(c.AlarmId, key.AlarmId).Where(c.BusinessType, key.BusinessType).Where(c.BusinessId, key.BusinessId).
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
