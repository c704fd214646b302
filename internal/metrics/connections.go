package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/connbudget"
)

var (
	tcpHeldDesc   = desc("pulse_tcp_connections", "TCP connections the server holds, on every endpoint, upgraded ones included.")
	tcpLimitDesc  = desc("pulse_tcp_connections_limit", "The most TCP connections the server holds: the open-file limit less a reserve (0: no bound).")
	tcpClosedDesc = desc("pulse_tcp_connections_closed_total", "Connections the budget closed: reason idle, the oldest that had not completed a request, to make room; reason full, a new one, as every held connection had completed a request.", "reason")
	tcpErrorsDesc = desc("pulse_tcp_accept_errors_total", "Errors accepting a connection (too many open files among them).")
)

// WatchConnections registers the collector that reads b at every scrape.
func (m *Metrics) WatchConnections(b *connbudget.Budget) {
	m.registry.MustRegister(connectionsCollector{b})
}

// connectionsCollector turns a connection budget's counts into metrics at scrape time.
type connectionsCollector struct{ b *connbudget.Budget }

func (c connectionsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{tcpHeldDesc, tcpLimitDesc, tcpClosedDesc, tcpErrorsDesc} {
		ch <- d
	}
}

func (c connectionsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.b.Stats()
	ch <- prometheus.MustNewConstMetric(tcpHeldDesc, prometheus.GaugeValue, float64(s.Held))
	ch <- prometheus.MustNewConstMetric(tcpLimitDesc, prometheus.GaugeValue, float64(s.Limit))
	ch <- prometheus.MustNewConstMetric(tcpClosedDesc, prometheus.CounterValue, float64(s.ClosedIdle), "idle")
	ch <- prometheus.MustNewConstMetric(tcpClosedDesc, prometheus.CounterValue, float64(s.ClosedFull), "full")
	ch <- prometheus.MustNewConstMetric(tcpErrorsDesc, prometheus.CounterValue, float64(s.AcceptErrors))
}
