package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/notify"
)

var (
	notifySentDesc       = desc("pulse_notify_sent_total", "Notifications an outlet's receiver accepted (a group counts once), on this node.", "outlet")
	notifyFailedDesc     = desc("pulse_notify_failed_total", "Notifications that failed for good (a permanent refusal, or retried for notify.retryFor), on this node.", "outlet")
	notifyRetryingDesc   = desc("pulse_notify_retries_total", "Attempts that failed and will be retried, on this node.", "outlet")
	notifySupersededDesc = desc("pulse_notify_superseded_total", "Notifications not sent because a later one of the same alarm was waiting for the same outlet and target.", "outlet")
	notifyPendingDesc    = desc("pulse_notify_pending", "Notifications in the outbox not yet sent (every node's).", "outlet")
	notifyOldestDesc     = desc("pulse_notify_oldest_pending_seconds", "Age of the oldest notification in the outbox not yet sent (0: none).", "outlet")
	notifyUnroutedDesc   = desc("pulse_notify_unrouted_total", "Alarms raised that matched no notify route: nobody was notified of them.")
)

// NotifySource is what the notification metrics read at every scrape.
type NotifySource interface {
	Outlets() []string
	Stats(outlet string) *notify.OutletStats
	Pending(ctx context.Context) (map[string]int64, map[string]time.Duration, error)
}

// WatchNotify registers the collector of the dispatcher's counters and the router's unrouted count.
func (m *Metrics) WatchNotify(d NotifySource, r *notify.Router) {
	m.registry.MustRegister(notifyCollector{d, r})
}

type notifyCollector struct {
	d NotifySource
	r *notify.Router
}

func (c notifyCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{notifySentDesc, notifyFailedDesc, notifyRetryingDesc, notifySupersededDesc,
		notifyPendingDesc, notifyOldestDesc, notifyUnroutedDesc} {
		ch <- d
	}
}

func (c notifyCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, oldest, err := c.d.Pending(ctx)
	for _, o := range c.d.Outlets() {
		s := c.d.Stats(o)
		ch <- prometheus.MustNewConstMetric(notifySentDesc, prometheus.CounterValue, float64(s.Sent.Load()), o)
		ch <- prometheus.MustNewConstMetric(notifyFailedDesc, prometheus.CounterValue, float64(s.Failed.Load()), o)
		ch <- prometheus.MustNewConstMetric(notifyRetryingDesc, prometheus.CounterValue, float64(s.Retrying.Load()), o)
		ch <- prometheus.MustNewConstMetric(notifySupersededDesc, prometheus.CounterValue, float64(s.Superseded.Load()), o)
		if err == nil {
			ch <- prometheus.MustNewConstMetric(notifyPendingDesc, prometheus.GaugeValue, float64(pending[o]), o)
			ch <- prometheus.MustNewConstMetric(notifyOldestDesc, prometheus.GaugeValue, oldest[o].Seconds(), o)
		}
	}
	if c.r != nil {
		ch <- prometheus.MustNewConstMetric(notifyUnroutedDesc, prometheus.CounterValue, float64(c.r.Unrouted()))
	}
}
