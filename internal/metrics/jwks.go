package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	jwksFailuresDesc    = desc("pulse_jwks_fetch_failures_total", "Fetches of auth.jwt.jwksUrl that failed (the log says why, at most once a minute).")
	jwksLastSuccessDesc = desc("pulse_jwks_last_success_timestamp_seconds", "When auth.jwt.jwksUrl was last fetched (Unix seconds); 0 before the first fetch that succeeded.")
)

// WatchJWKS registers the metrics of the JWKS fetches (auth on with auth.jwt.jwksUrl), which
// read reports at every scrape.
func (m *Metrics) WatchJWKS(read func() (failures uint64, lastSuccess time.Time)) {
	m.registry.MustRegister(jwksCollector{read})
}

type jwksCollector struct {
	read func() (failures uint64, lastSuccess time.Time)
}

func (c jwksCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jwksFailuresDesc
	ch <- jwksLastSuccessDesc
}

func (c jwksCollector) Collect(ch chan<- prometheus.Metric) {
	failures, last := c.read()
	seconds := 0.0
	if !last.IsZero() {
		seconds = float64(last.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(jwksFailuresDesc, prometheus.CounterValue, float64(failures))
	ch <- prometheus.MustNewConstMetric(jwksLastSuccessDesc, prometheus.GaugeValue, seconds)
}
