package alarm

import (
	"context"
	"time"

	"github.com/gogf/gf/v2/frame/g"
)

// UseLink records that the ack link id (valid until expires, unix ms) is being used: true the
// first time, false when it was used before. The row is the link's single use: two requests with
// the same link race for one insert. Rows of links expired are deleted on the way.
func (s *Service) UseLink(ctx context.Context, id string, expires int64) (bool, error) {
	now := s.now().UnixMilli()
	_, err := s.store.db.Model("pulse_ack_link").Ctx(ctx).Data(g.Map{"link_id": id, "used_ms": now, "expires_ms": expires}).Insert()
	if err != nil {
		n, cerr := s.store.db.Model("pulse_ack_link").Ctx(ctx).Where("link_id", id).Count()
		if cerr == nil && n > 0 {
			return false, nil
		}
		return false, unavailable(err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = s.store.db.Model("pulse_ack_link").Ctx(ctx).Where("expires_ms < ?", now).Delete()
	return true, nil
}

// ForgetLink undoes UseLink, for a use that failed on the store's side: the link may be tried again.
func (s *Service) ForgetLink(ctx context.Context, id string) {
	_, _ = s.store.db.Model("pulse_ack_link").Ctx(ctx).Where("link_id", id).Delete()
}
