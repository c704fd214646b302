package metrics

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
)

var (
	brokerConnectedDesc = desc("pulse_broker_connected",
		"1 while the broker source's session is connected, else 0 (MQTT: its sessions rowdata and alarm; NATS: its consumers rowdata and alarm, consuming).", "source", "session")
	brokerMessagesDesc = desc("pulse_broker_messages_total",
		"Messages a broker source received, by kind (rowdata, alarm), whatever became of them.", "source", "kind")
	brokerRefusedDesc = desc("pulse_broker_refused_total",
		"Messages a broker source refused and acknowledged (never published), by reason: too_large, invalid, topic, reserved, scope, eventid_reused.", "source", "reason")
	brokerRedeliveredDesc = desc("pulse_broker_redelivered_total",
		"Messages the broker marked as delivered before (MQTT DUP, JetStream redelivery).", "source")
	brokerDuplicatesDesc = desc("pulse_broker_duplicates_total",
		"Messages whose eventId had been handled before: acknowledged, nothing published again.", "source")
	brokerRetriesDesc = desc("pulse_broker_retries_total",
		"Messages left unacknowledged because the store or the bus could not take them (503): the broker delivers them again.", "source")
	brokerLagDesc = desc("pulse_broker_lag_messages",
		"Messages waiting in the broker for the source, where the broker says (JetStream); absent where it does not (MQTT).", "source")
)

// WatchBrokers registers the metrics of the broker sources (ingest.mqtt, ingest.nats), whose
// counters read gives at every scrape.
func (m *Metrics) WatchBrokers(read func() []brokerin.Snapshot) {
	m.registry.MustRegister(brokerCollector{read})
}

type brokerCollector struct {
	read func() []brokerin.Snapshot
}

func (c brokerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{brokerConnectedDesc, brokerMessagesDesc, brokerRefusedDesc,
		brokerRedeliveredDesc, brokerDuplicatesDesc, brokerRetriesDesc, brokerLagDesc} {
		ch <- d
	}
}

func (c brokerCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for _, s := range c.read() {
		sessions := make([]string, 0, len(s.Connected))
		for name := range s.Connected {
			sessions = append(sessions, name)
		}
		sort.Strings(sessions)
		for _, name := range sessions {
			up := 0.0
			if s.Connected[name] {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(brokerConnectedDesc, prometheus.GaugeValue, up, s.Source, name)
		}
		counter(brokerMessagesDesc, s.RowData, s.Source, string(brokerin.RowData))
		counter(brokerMessagesDesc, s.Alarms, s.Source, string(brokerin.Alarm))
		for _, reason := range brokerin.Reasons {
			counter(brokerRefusedDesc, s.Refused[reason], s.Source, reason)
		}
		counter(brokerRedeliveredDesc, s.Redelivered, s.Source)
		counter(brokerDuplicatesDesc, s.Duplicates, s.Source)
		counter(brokerRetriesDesc, s.Retries, s.Source)
		if s.Lag >= 0 {
			ch <- prometheus.MustNewConstMetric(brokerLagDesc, prometheus.GaugeValue, float64(s.Lag), s.Source)
		}
	}
}
