package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

var (
	noticesSentDesc      = desc("pulse_notices_sent_total", "Notices to one user this node accepted and put on the bus (POST /api/v1/users/{user}/notices and the Go API), whether or not the user was connected.")
	noticesDeliveredDesc = desc("pulse_notices_delivered_total", "Notices queued to this node's sockets of their user (a notice counts once per socket it reached).", "endpoint")
	noticesRefusedDesc   = desc("pulse_notices_refused_total", "Notices this node refused, by reason: invalid (400, a bad user name or body) or forbidden (403: an ingest key without \"notice\" in its allow, a token without \"ack\", or a business outside the sender's patterns).", "reason")
)

// NoticeSource is what the notice metrics read at every scrape.
type NoticeSource interface {
	NoticeCounts() ingest.NoticeCounts
}

// WatchNotices registers the collector of the notices src accepted and refused and of those the
// managers delivered.
func (m *Metrics) WatchNotices(src NoticeSource, managers ...*hub.Manager) {
	m.registry.MustRegister(noticeCollector{src, managers})
}

type noticeCollector struct {
	src      NoticeSource
	managers []*hub.Manager
}

func (c noticeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- noticesSentDesc
	ch <- noticesDeliveredDesc
	ch <- noticesRefusedDesc
}

func (c noticeCollector) Collect(ch chan<- prometheus.Metric) {
	counts := c.src.NoticeCounts()
	ch <- prometheus.MustNewConstMetric(noticesSentDesc, prometheus.CounterValue, float64(counts.Sent))
	ch <- prometheus.MustNewConstMetric(noticesRefusedDesc, prometheus.CounterValue, float64(counts.Invalid), "invalid")
	ch <- prometheus.MustNewConstMetric(noticesRefusedDesc, prometheus.CounterValue, float64(counts.Forbidden), "forbidden")
	for _, m := range c.managers {
		ch <- prometheus.MustNewConstMetric(noticesDeliveredDesc, prometheus.CounterValue, float64(m.NoticesDelivered()), m.Name())
	}
}
