package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// commitMetrics are the alarm store's group commits: how long each transaction took and how many
// operations it held, and how many failed.
type commitMetrics struct {
	seconds  prometheus.Histogram
	ops      prometheus.Histogram
	failures prometheus.Counter
}

func newCommitMetrics() commitMetrics {
	return commitMetrics{
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pulse_alarm_commit_duration_seconds",
			Help:    "Time of one group commit of the alarm store (one transaction), failed ones included.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms .. 4 s
		}),
		ops: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pulse_alarm_commit_batch_size",
			Help:    "Operations (raises, acks, clears) in one group commit of the alarm store.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12), // 1 .. 2048 (a commit holds at most 2000)
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pulse_alarm_commit_failures_total",
			Help: "Group commits of the alarm store whose transaction failed (nothing of them was stored).",
		}),
	}
}

// ObserveCommit records one group commit; it is alarm.Options.OnCommit.
func (m *Metrics) ObserveCommit(ops int, took time.Duration, err error) {
	m.commits.seconds.Observe(took.Seconds())
	m.commits.ops.Observe(float64(ops))
	if err != nil {
		m.commits.failures.Inc()
	}
}
