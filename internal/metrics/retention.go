package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// retentionMetrics are the alarm store's purges, by table: the rows each deleted, when each last
// ran to its end, and how many runs failed. A table that grows while its rows purged stays flat,
// or whose last run lies further back than alarm.purgeInterval, is where to look.
type retentionMetrics struct {
	rows     *prometheus.CounterVec
	lastRun  *prometheus.GaugeVec
	failures *prometheus.CounterVec
}

func newRetentionMetrics() retentionMetrics {
	return retentionMetrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pulse_retention_rows_purged_total",
			Help: "Rows retention deleted from the alarm store, by table.",
		}, []string{"table"}),
		lastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pulse_retention_last_run_timestamp_seconds",
			Help: "When retention last purged a table to its end without failing (unix seconds), by table.",
		}, []string{"table"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pulse_retention_failures_total",
			Help: "Purge runs of a table that failed (the rows of the batches before the failure are gone), by table.",
		}, []string{"table"}),
	}
}

// ObservePurge records one purge run of table; it is alarm.Options.OnPurge. Table names are the
// store's own (a bounded set).
func (m *Metrics) ObservePurge(table string, rows int64, err error) {
	m.retention.rows.WithLabelValues(table).Add(float64(rows))
	if err != nil {
		m.retention.failures.WithLabelValues(table).Inc()
		return
	}
	m.retention.failures.WithLabelValues(table) // shown at 0 before the first failure
	m.retention.lastRun.WithLabelValues(table).SetToCurrentTime()
}
