package alarm

import (
	"sync"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/notify"
)

// NotifyStore is the notification tables of the alarm store's database, for the dispatcher and
// the deliveries API. The alarm store writes the outbox in its commits (Options.Notify).
func (s *Service) NotifyStore() (*notify.Store, error) {
	db, err := s.store.db.Master()
	if err != nil {
		return nil, gerror.Wrap(err, "alarm store: the notification tables")
	}
	var writer sync.Locker
	if s.store.dialect == "sqlite" {
		writer = &s.store.writer
	}
	return notify.NewStore(db, s.store.dialect, writer), nil
}
