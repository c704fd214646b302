// Package metrics is Pulse's Prometheus endpoint, GET /metrics. Most of what it shows are
// counters the engine already keeps as plain atomics (hub.Stats, the door's refusals, the bus's
// and the ingest service's totals), read by a collector at scrape time: counting costs the
// fan-out nothing beyond an atomic add where it already does work, and the engine (internal/hub)
// knows nothing of Prometheus. Only what has no counter of its own to read (ingest requests by
// status and key, alarm commit timings) is recorded here as it happens.
//
// Names follow Prometheus' conventions: pulse_ prefix, base units (seconds), _total counters. No
// label takes a value from a request (no user, business or token): endpoints, reasons, close
// codes, HTTP statuses and configured ingest key names are all bounded.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one node's registry and the instruments recorded as things happen.
type Metrics struct {
	registry  *prometheus.Registry
	ingest    *prometheus.CounterVec
	commits   commitMetrics
	retention retentionMetrics
}

// New returns the registry with the Go runtime and process collectors and Pulse's own
// instruments; Watch adds the collector of the engine's counters once the node is built.
func New() *Metrics {
	m := &Metrics{
		registry:  prometheus.NewRegistry(),
		ingest:    newIngestRequests(),
		commits:   newCommitMetrics(),
		retention: newRetentionMetrics(),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.ingest,
		m.commits.seconds, m.commits.ops, m.commits.failures,
		m.retention.rows, m.retention.lastRun, m.retention.failures,
	)
	return m
}

// Watch registers the collector that reads src at every scrape.
func (m *Metrics) Watch(src Sources) { m.registry.MustRegister(newEngineCollector(src)) }

// Handler serves the registry in the Prometheus text format (or OpenMetrics, when asked).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
