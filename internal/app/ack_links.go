package app

import (
	"cmp"

	"github.com/pulse-monitoring/pulse/internal/acklink"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// ackLinksOf makes the ack links of the notify section (publicUrl, linkKeys or linkKeysFile,
// ackLinkTTL); nil when publicUrl is not set: links are off.
func ackLinksOf(cfg notify.Config) (*acklink.Links, error) {
	return acklink.New(cfg.PublicURL, cfg.LinkKeys, cmp.Or(cfg.AckLinkTTL, notify.DefaultAckLinkTTL))
}
