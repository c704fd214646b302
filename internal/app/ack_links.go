package app

import (
	"context"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/acklink"
)

// ackLinksOf reads the ack links' keys of the notify section (publicUrl, linkKeys, ackLinkTTL,
// default 24h); nil when publicUrl is not set.
//
// TODO(issue 25): read them from config.Config's notify section once the notify configuration
// (internal/notify.Config) is merged, rather than from GoFrame's configuration here.
func ackLinksOf(ctx context.Context) (*acklink.Links, error) {
	var n struct {
		PublicURL  string   `json:"publicUrl"`
		LinkKeys   []string `json:"linkKeys"`
		AckLinkTTL string   `json:"ackLinkTTL"`
	}
	if v, err := g.Cfg().Get(ctx, "notify"); err == nil && !v.IsNil() {
		if err := v.Scan(&n); err != nil {
			return nil, gerror.Wrap(err, "config section \"notify\"")
		}
	}
	ttl := 24 * time.Hour
	if n.AckLinkTTL != "" {
		d, err := time.ParseDuration(n.AckLinkTTL)
		if err != nil || d <= 0 {
			return nil, gerror.Newf("notify.ackLinkTTL: %q is not a positive duration such as 24h", n.AckLinkTTL)
		}
		ttl = d
	}
	return acklink.New(n.PublicURL, n.LinkKeys, ttl)
}
