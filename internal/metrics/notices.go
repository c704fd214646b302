package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/notify"
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

var noticePushesDesc = desc("pulse_notice_pushes_total", "Notices to one user pushed to their devices, by result: sent (one device, the push service took it), failed (refused, or failed twice; a gone device is removed), dropped (a whole notice not pushed: the node's notice push queue was full).", "result")

// NoticePushSource is what the notice push metric reads at every scrape.
type NoticePushSource interface {
	Counts() notify.NoticePushCounts
}

// WatchNoticePushes registers the collector of the notices src pushed to devices.
func (m *Metrics) WatchNoticePushes(src NoticePushSource) {
	m.registry.MustRegister(noticePushCollector{src})
}

type noticePushCollector struct{ src NoticePushSource }

func (c noticePushCollector) Describe(ch chan<- *prometheus.Desc) { ch <- noticePushesDesc }

func (c noticePushCollector) Collect(ch chan<- prometheus.Metric) {
	counts := c.src.Counts()
	ch <- prometheus.MustNewConstMetric(noticePushesDesc, prometheus.CounterValue, float64(counts.Sent), "sent")
	ch <- prometheus.MustNewConstMetric(noticePushesDesc, prometheus.CounterValue, float64(counts.Failed), "failed")
	ch <- prometheus.MustNewConstMetric(noticePushesDesc, prometheus.CounterValue, float64(counts.Dropped), "dropped")
}
