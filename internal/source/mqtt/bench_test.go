package mqtt_test

import (
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// window bounds the messages published and not yet taken by the node: Mosquitto drops QoS 1
// messages past max_queued_messages (1000 by default) for a session that lags, so a benchmark
// that published without bound would measure the broker dropping them.
const window = 500

// benchIngest publishes b.N messages of kind at QoS 1 from one publisher, over 100 businesses
// (topics), at most window ahead of what the node has accepted, and reports the messages the node
// took per second.
func benchIngest(b *testing.B, kind string, accepted func(*pulsenode.Node) int64) {
	br := newBroker(b)
	n := pulsenode.Start(b, br.config(br.clientID("node"), nil))
	waitSubscribed(b, n)
	pub := br.publisher()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for int64(i)-accepted(n) >= window {
			time.Sleep(200 * time.Microsecond)
		}
		payload := fmt.Sprintf(`{"data":{"v":%d}}`, i)
		if kind == "alarm" {
			payload = fmt.Sprintf(`{"alarmId":"a-%d","title":"t"}`, i%1000)
		}
		pub.Publish(fmt.Sprintf("%s/%s/meter/m-%d", br.prefix, kind, i%100), 1, false, payload)
	}
	if !poll.Until(func() bool { return accepted(n) >= int64(b.N) }) {
		b.Fatalf("the node took %d of %d messages", accepted(n), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkMQTTRowDataIngest: row data from Mosquitto through the rowdata session to the bus.
//
//	go test -run xxx -bench MQTTRowDataIngest -benchtime 20000x ./internal/source/mqtt/
func BenchmarkMQTTRowDataIngest(b *testing.B) {
	benchIngest(b, "rowdata", func(n *pulsenode.Node) int64 { r, _ := n.Ingest.Accepted(); return r })
}

// BenchmarkMQTTAlarmIngest: alarms from Mosquitto, each committed (SQLite) before its PUBACK.
// Compare with BenchmarkAlarmIngest (HTTP, 64 concurrent posters) in internal/controller/ingest.
//
//	go test -run xxx -bench MQTTAlarmIngest -benchtime 5000x ./internal/source/mqtt/
func BenchmarkMQTTAlarmIngest(b *testing.B) {
	benchIngest(b, "alarm", func(n *pulsenode.Node) int64 { _, a := n.Ingest.Accepted(); return a })
}

// BenchmarkShareRedelivery measures what Mosquitto does with the messages a share-group member
// received and did not acknowledge when that member's connection dies (no DISCONNECT): how long
// until another member receives them, or, if none does within a minute, how long until the lost
// member gets them back when it reconnects with the same client id. It runs once, whatever b.N.
//
//	go test -run xxx -bench ShareRedelivery -benchtime 1x ./internal/source/mqtt/
func BenchmarkShareRedelivery(b *testing.B) {
	br := newBroker(b)
	filter := "$share/g/" + br.prefix + "/x"
	var mu sync.Mutex
	gotB := map[string]time.Time{}
	var connA net.Conn
	member := func(id string, ack bool, record map[string]time.Time) paho.Client {
		o := paho.NewClientOptions().AddBroker(testsvc.MosquittoURL).SetClientID(br.prefix + "-" + id).
			SetCleanSession(false).SetAutoAckDisabled(true).SetAutoReconnect(false)
		o.SetCustomOpenConnectionFn(func(uri *url.URL, _ paho.ClientOptions) (net.Conn, error) {
			c, err := net.Dial("tcp", uri.Host)
			if id == "a" {
				mu.Lock()
				connA = c
				mu.Unlock()
			}
			return c, err
		})
		o.SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
			mu.Lock()
			record[string(m.Payload())] = time.Now()
			mu.Unlock()
			if ack {
				m.Ack()
			}
		})
		c := paho.NewClient(o)
		if t := c.Connect(); !t.WaitTimeout(poll.Patience) || t.Error() != nil {
			b.Fatalf("member %s: %v", id, t.Error())
		}
		if t := c.Subscribe(filter, 1, nil); !t.WaitTimeout(poll.Patience) || t.Error() != nil {
			b.Fatalf("member %s subscribe: %v", id, t.Error())
		}
		return c
	}
	gotA := map[string]time.Time{}
	a := member("a", false, gotA) // takes its share and never acknowledges it
	member("b", true, gotB)
	b.Cleanup(func() {
		for _, id := range []string{"a", "b"} {
			c := paho.NewClient(paho.NewClientOptions().AddBroker(testsvc.MosquittoURL).SetClientID(br.prefix + "-" + id).SetCleanSession(true))
			if t := c.Connect(); t.WaitTimeout(5*time.Second) && t.Error() == nil {
				c.Disconnect(50)
			}
		}
	})
	pub := br.publisher()
	for i := range 10 {
		pub.Publish(br.prefix+"/x", 1, false, fmt.Sprint(i)).Wait()
	}
	poll.Until(func() bool { mu.Lock(); defer mu.Unlock(); return len(gotA)+len(gotB) >= 10 })
	mu.Lock()
	held := make([]string, 0, len(gotA))
	for p := range gotA {
		held = append(held, p)
	}
	_ = connA.Close() // the member's connection dies: no DISCONNECT
	mu.Unlock()
	lost := time.Now()
	b.Logf("member a held %d unacknowledged messages when its connection died", len(held))
	redelivered := func(record map[string]time.Time) (time.Duration, bool) {
		mu.Lock()
		defer mu.Unlock()
		var last time.Time
		for _, p := range held {
			t, ok := record[p]
			if !ok || !t.After(lost) {
				return 0, false
			}
			if t.After(last) {
				last = t
			}
		}
		return last.Sub(lost), true
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if d, ok := redelivered(gotB); ok {
			b.ReportMetric(d.Seconds(), "s-to-other-member")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Logf("no other member received them within %s", time.Minute)
	b.ReportMetric(-1, "s-to-other-member")
	a.Disconnect(0)
	back := time.Now()
	member("a", true, gotA)
	if !poll.Until(func() bool { _, ok := redelivered(gotA); return ok }) {
		b.Fatal("the member that came back did not get its messages either")
	}
	b.ReportMetric(time.Since(back).Seconds(), "s-after-member-returns")
}
