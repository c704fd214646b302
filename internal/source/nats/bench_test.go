package nats_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkNATSRowDataIngest: how fast a node takes row data from a JetStream backlog: from the
// first delivery to the acknowledgement of the last (each acknowledged once the node published
// it; no dashboard: the fan-out has benchmarks of its own). 50 businesses.
func BenchmarkNATSRowDataIngest(b *testing.B) {
	benchIngest(b, "rowdata", func(i int) string { return `{"data":{"voltage":229.8,"i":` + strconv.Itoa(i) + `}}` })
}

// BenchmarkNATSAlarmIngest: the same for alarms into the node's alarm store (SQLite, WAL,
// synchronous=FULL), each acknowledged once committed; 100 alarm ids over 50 businesses, so most
// messages repeat an active alarm.
func BenchmarkNATSAlarmIngest(b *testing.B) {
	benchIngest(b, "alarm", func(i int) string {
		return `{"alarmId":"a-` + strconv.Itoa(i%100) + `","level":"major","title":"Over-voltage"}`
	})
}

// benchIngest stores b.N messages of kind in the stream first, then starts a node and times its
// consumer from the first delivery until everything is acknowledged.
func benchIngest(b *testing.B, kind string, payload func(int) string) {
	bd := newBed(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if _, err := bd.js.CreateStream(ctx, jetstream.StreamConfig{Name: bd.cfg.Stream, Subjects: []string{bd.prefix + ".>"}}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := bd.js.PublishAsync(bd.subject(kind, "meter", "m-"+strconv.Itoa(i%50)), []byte(payload(i))); err != nil {
			b.Fatal(err)
		}
		if i%500 == 499 || i == b.N-1 { // within the publisher's bound of unconfirmed messages
			select {
			case <-bd.js.PublishAsyncComplete():
			case <-ctx.Done():
				b.Fatal("JetStream did not confirm the publishes")
			}
		}
	}
	b.ResetTimer()
	pulsenode.Start(b, func(c *config.Config) { c.Ingest.NATS = bd.cfg })
	var start time.Time
	for start.IsZero() {
		if info := bd.consumerInfo(kind); info != nil && info.Delivered.Consumer > 0 {
			start = time.Now()
		}
		if ctx.Err() != nil {
			b.Fatal("nothing was delivered")
		}
		time.Sleep(time.Millisecond)
	}
	for {
		info := bd.consumerInfo(kind)
		if info != nil && info.NumPending == 0 && info.NumAckPending == 0 {
			break
		}
		if ctx.Err() != nil {
			b.Fatalf("the consumer did not settle: %+v", info)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(0, "ns/op")
}
