package nats_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// BenchmarkNATSRowDataIngest: row data through a node's NATS source, from the publish to
// JetStream to the acknowledgement that follows the node's publish (no dashboard: the fan-out has
// benchmarks of its own). msgs/s is what one node takes.
func BenchmarkNATSRowDataIngest(b *testing.B) {
	benchIngest(b, "rowdata", func(i int) string { return `{"data":{"voltage":229.8,"i":` + strconv.Itoa(i) + `}}` })
}

// BenchmarkNATSAlarmIngest: alarms through a node's NATS source into its alarm store (SQLite),
// each acknowledged once committed; 100 alarm ids, so most messages repeat an active alarm.
func BenchmarkNATSAlarmIngest(b *testing.B) {
	benchIngest(b, "alarm", func(i int) string {
		return `{"alarmId":"a-` + strconv.Itoa(i%100) + `","level":"major","title":"Over-voltage"}`
	})
}

func benchIngest(b *testing.B, kind string, payload func(int) string) {
	bd := newBed(b)
	bd.node(nil)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := bd.js.PublishAsync(bd.subject(kind, "meter", "m-"+strconv.Itoa(i%50)), []byte(payload(i))); err != nil {
			b.Fatal(err)
		}
		if i%500 == 499 || i == b.N-1 { // within the publisher's bound of unconfirmed messages
			select {
			case <-bd.js.PublishAsyncComplete():
			case <-time.After(poll.Patience):
				b.Fatal("JetStream did not confirm the publishes")
			}
		}
	}
	bd.settled(kind)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
