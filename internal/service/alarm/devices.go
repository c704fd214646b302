package alarm

import (
	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/device"
)

// Devices is the registered devices (push), stored with the alarms.
func (s *Service) Devices() (*device.Store, error) {
	db, err := s.store.db.Master()
	if err != nil {
		return nil, gerror.Wrap(err, "alarm store: the devices table")
	}
	return device.NewStore(db, s.store.dialect), nil
}
