package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// seq makes topics and client ids unique: tests of several checkouts share one broker.
var seq atomic.Int64

// broker is one test's corner of the machine's Mosquitto: a topic prefix and client ids of its own.
type broker struct {
	t      testing.TB
	prefix string
}

func newBroker(t testing.TB) *broker {
	t.Helper()
	testsvc.RequireMosquitto(t)
	return &broker{t: t, prefix: fmt.Sprintf("pulsetest-%d-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6, seq.Add(1))}
}

// clientID is a node's ingest.mqtt.clientId; its sessions are forgotten by the broker when the
// test ends (they are persistent).
func (b *broker) clientID(name string) string {
	id := b.prefix + "-" + name
	b.t.Cleanup(func() {
		for _, kind := range []string{"rowdata", "alarm"} {
			c := paho.NewClient(paho.NewClientOptions().AddBroker(testsvc.MosquittoURL).SetClientID(id + "-" + kind).SetCleanSession(true))
			if t := c.Connect(); t.WaitTimeout(5*time.Second) && t.Error() == nil {
				c.Disconnect(50)
			}
		}
	})
	return id
}

// config turns ingest.mqtt on for the node named clientID, with edit applied after.
func (b *broker) config(clientID string, edit func(*config.MQTT)) func(*config.Config) {
	return func(c *config.Config) {
		m := config.DefaultMQTT()
		m.Broker, m.ClientID = testsvc.MosquittoURL, clientID
		m.Topics.RowData = b.prefix + "/rowdata/{businessType}/{businessId}"
		m.Topics.Alarm = b.prefix + "/alarm/{businessType}/{businessId}"
		if edit != nil {
			edit(&m)
		}
		c.Ingest.MQTT = m
	}
}

// publisher is an MQTT client that publishes at QoS 1, as a plant's collector would.
func (b *broker) publisher() paho.Client {
	b.t.Helper()
	c := paho.NewClient(paho.NewClientOptions().AddBroker(testsvc.MosquittoURL).
		SetClientID(fmt.Sprintf("%s-pub-%d", b.prefix, seq.Add(1))).SetCleanSession(true))
	if t := c.Connect(); !t.WaitTimeout(poll.Patience) || t.Error() != nil {
		b.t.Fatalf("publisher: %v", t.Error())
	}
	b.t.Cleanup(func() { c.Disconnect(50) })
	return c
}

// publish sends payload on <prefix>/<kind>/<typ>/<id> at QoS 1 and waits for the broker's PUBACK.
func (b *broker) publish(c paho.Client, kind, typ, id, payload string) {
	b.t.Helper()
	topic := b.prefix + "/" + kind + "/" + typ + "/" + id
	if t := c.Publish(topic, 1, false, payload); !t.WaitTimeout(poll.Patience) || t.Error() != nil {
		b.t.Fatalf("publish on %s: %v", topic, t.Error())
	}
}

// waitSubscribed waits until /readyz says both of the node's MQTT sessions are subscribed.
func waitSubscribed(t testing.TB, n *pulsenode.Node) {
	t.Helper()
	var last string
	if !poll.Until(func() bool {
		_, env := n.Get("/readyz", nil)
		var res struct{ Checks map[string]string }
		_ = json.Unmarshal(env.Data, &res)
		last = res.Checks["mqtt"]
		return last == "ok"
	}) {
		t.Fatalf("the MQTT source never became ready; /readyz says %q", last)
	}
}

func startNode(t *testing.T, b *broker, clientID string, edit func(*config.MQTT)) *pulsenode.Node {
	t.Helper()
	n := pulsenode.Start(t, b.config(clientID, edit))
	waitSubscribed(t, n)
	return n
}

func TestRowDataReachesDashboard(t *testing.T) {
	b := newBroker(t)
	n := startNode(t, b, b.clientID("node"), nil)
	dash := n.Dial(pulsenode.RowPath("meter", "m-1", "alice"))
	n.WaitConnections(1, 0)
	b.publish(b.publisher(), "rowdata", "meter", "m-1", `{"data":{"voltage":229.8}}`)
	o := dash.Next(pulsenode.Patience)
	var d model.BusinessData
	if err := json.Unmarshal(o.Data, &d); err != nil || o.Type != "rowdata" || d.BusinessType != "meter" || d.BusinessId != "m-1" || string(d.Data) != `{"voltage":229.8}` {
		t.Fatalf("the dashboard got %s; want the published row data of meter/m-1", o.Raw)
	}
}

func TestAlarmReachesConsoleAndIsStored(t *testing.T) {
	b := newBroker(t)
	n := startNode(t, b, b.clientID("node"), nil)
	console := n.Dial("/ws/alarm")
	b.publish(b.publisher(), "alarm", "meter", "m-1", `{"alarmId":"over-voltage","level":"critical","title":"Over-voltage"}`)
	a := pulsenode.AlarmOf(t, console.Next(pulsenode.Patience))
	if a.AlarmId != "over-voltage" || a.BusinessType != "meter" || a.BusinessId != "m-1" || a.Level != model.LevelCritical {
		t.Fatalf("the console got %+v", a)
	}
	if s := n.StoredAlarm("over-voltage"); s == nil || s.Count != 1 {
		t.Fatalf("stored: %+v; want the alarm, raised once", s)
	}
}

func TestRefusedMessagesAreCountedAndNotRedelivered(t *testing.T) {
	b := newBroker(t)
	id := b.clientID("node")
	scoped := func(m *config.MQTT) { m.Businesses = []string{"meter/*"} }
	n := startNode(t, b, id, scoped)
	pub := b.publisher()
	b.publish(pub, "alarm", "meter", "m-1", `{"title":`)                   // bad JSON
	b.publish(pub, "alarm", "meter", "m-1", `{"businessId":"m-2"}`)        // another business than the topic's
	b.publish(pub, "alarm", "pump", "p-1", `{"title":"x"}`)                // outside the businesses
	b.publish(pub, "alarm", "pulse", "notify", `{"alarmId":"webhook"}`)    // the server's own type
	b.publish(pub, "rowdata", "meter", "m-1", `{"data":1,"unknown":true}`) // a field no item has
	b.publish(pub, "alarm", "meter", "m-1", `{"alarmId":"marker"}`)
	poll.Eventually(t, func() bool { return n.StoredAlarm("marker") != nil }, "the marker after the refused messages was not stored")
	n.Moved("pulse_broker_refused_total", 2, "source=mqtt", "reason=invalid") // the row data comes on a session of its own
	s := n.Scrape()
	for reason, want := range map[string]float64{"invalid": 2, "topic": 1, "scope": 1, "reserved": 1} {
		if got := s.Value(t, "pulse_broker_refused_total", "source=mqtt", "reason="+reason); got != want {
			t.Errorf("refused for %s: %v, want %v", reason, got, want)
		}
	}
	if ids := n.ListIds(""); len(ids) != 1 {
		t.Fatalf("stored %v; want only the marker", ids)
	}
	// They were acknowledged: the node that takes over the sessions gets none of them again.
	ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
	defer cancel()
	if err := n.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	again := startNode(t, b, id, scoped)
	b.publish(pub, "alarm", "meter", "m-1", `{"alarmId":"marker-2"}`)
	poll.Eventually(t, func() bool { return again.StoredAlarm("marker-2") != nil }, "the second marker was not stored")
	s = again.Scrape()
	if got := s.Value(t, "pulse_broker_messages_total", "source=mqtt", "kind=alarm") + s.Value(t, "pulse_broker_messages_total", "source=mqtt", "kind=rowdata"); got != 1 {
		t.Fatalf("the next node received %v messages; want only the second marker (the refused ones were acknowledged)", got)
	}
}

func TestEventIdCountsOnce(t *testing.T) {
	b := newBroker(t)
	n := startNode(t, b, b.clientID("node"), nil)
	pub := b.publisher()
	payload := `{"alarmId":"a-1","title":"Over-voltage","eventId":"collector-7:1732250000123"}`
	b.publish(pub, "alarm", "meter", "m-1", payload)
	b.publish(pub, "alarm", "meter", "m-1", payload)
	n.Moved("pulse_broker_duplicates_total", 1, "source=mqtt")
	if a := n.StoredAlarm("a-1"); a == nil || a.Count != 1 {
		t.Fatalf("stored %+v; want a-1 raised once", a)
	}
	if events := n.History("meter/m-1/a-1"); len(events) != 1 {
		t.Fatalf("a-1 has %d events; want 1", len(events))
	}
}

// TestAlarmNotStoredIsRedelivered: an alarm the store could not write is never acknowledged, so
// the node that takes the session over after a restart receives it again from the broker.
func TestAlarmNotStoredIsRedelivered(t *testing.T) {
	b := newBroker(t)
	id := b.clientID("node")
	first := startNode(t, b, id, nil)
	if err := first.Alarms.Close(context.Background()); err != nil { // writes fail from now on: 503
		t.Fatal(err)
	}
	b.publish(b.publisher(), "alarm", "meter", "m-1", `{"alarmId":"kept","title":"must survive"}`)
	first.Moved("pulse_broker_retries_total", 1, "source=mqtt")
	ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
	defer cancel()
	_ = first.Shutdown(ctx) // stops the source with the alarm still unacknowledged
	second := startNode(t, b, id, nil)
	poll.Eventually(t, func() bool { return second.StoredAlarm("kept") != nil }, "the unacknowledged alarm was not redelivered to the restarted node")
	second.Moved("pulse_broker_redelivered_total", 1, "source=mqtt")
}

// TestShareGroupTakesEachMessageOnce: two nodes in one share group; every alarm is stored by
// exactly one of them (each has a store of its own here, so a message taken twice would show).
func TestShareGroupTakesEachMessageOnce(t *testing.T) {
	b := newBroker(t)
	group := func(m *config.MQTT) { m.ShareGroup = "pulse" }
	nodes := []*pulsenode.Node{startNode(t, b, b.clientID("a"), group), startNode(t, b, b.clientID("b"), group)}
	pub := b.publisher()
	const n = 40
	for i := range n {
		b.publish(pub, "alarm", "meter", "m-1", fmt.Sprintf(`{"alarmId":"a-%d"}`, i))
	}
	counts := make([]int, 2)
	if !poll.Until(func() bool {
		for i, node := range nodes {
			counts[i] = node.AlarmCount()
		}
		return counts[0]+counts[1] >= n
	}) {
		t.Fatalf("stored %v; want %d in all", counts, n)
	}
	seen := map[string]bool{}
	for _, node := range nodes {
		for _, id := range node.ListIds("") {
			if seen[id] {
				t.Fatalf("%s was taken by both nodes", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != n || counts[0] == 0 || counts[1] == 0 {
		t.Fatalf("stored %v (%d distinct); want %d, spread over both nodes", counts, len(seen), n)
	}
}

// TestBrokerDownAtStart: a broker that cannot be reached does not stop the node, and /readyz shows
// it without failing readiness.
func TestBrokerDownAtStart(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) {
		c.Ingest.MQTT = config.DefaultMQTT()
		c.Ingest.MQTT.Broker = "tcp://127.0.0.1:1" // nothing listens there
	})
	var check string
	if !poll.Until(func() bool {
		status, env := n.Get("/readyz", nil)
		var res struct{ Checks map[string]string }
		_ = json.Unmarshal(env.Data, &res)
		check = res.Checks["mqtt"]
		return status == http.StatusOK && check != "" && check != "ok"
	}) {
		t.Fatalf("/readyz's mqtt check %q; want 200 with the broker shown as down", check)
	}
	if v := n.Scrape().Value(t, "pulse_broker_connected", "source=mqtt", "session=alarm"); v != 0 {
		t.Fatalf("pulse_broker_connected = %v; want 0", v)
	}
}

// TestOneBusinessInOrder: raises and clears of one alarm, published one after the other on its
// topic while other businesses' alarms arrive too, are applied in the order published.
func TestOneBusinessInOrder(t *testing.T) {
	b := newBroker(t)
	n := startNode(t, b, b.clientID("node"), nil)
	pub := b.publisher()
	for i := range 30 {
		action := "raise"
		if i%2 == 1 {
			action = "clear"
		}
		b.publish(pub, "alarm", "meter", "m-1", fmt.Sprintf(`{"alarmId":"flapping","action":%q,"content":"%d"}`, action, i))
		b.publish(pub, "alarm", "meter", fmt.Sprintf("m-%d", 100+i), `{"alarmId":"other"}`)
	}
	var events []string
	poll.Until(func() bool {
		if status, _ := n.Get("/api/v1/alarms/meter/m-1/flapping/events", nil); status != http.StatusOK {
			return false // not stored yet (404): History would fail the test
		}
		events = events[:0]
		for _, e := range n.History("meter/m-1/flapping") {
			events = append(events, e.Event)
		}
		return len(events) >= 30
	})
	want := []string{}
	for i := range 30 {
		want = append(want, map[bool]string{true: "raised", false: "cleared"}[i%2 == 0])
	}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Fatalf("events of the flapping alarm %v; want %v", events, want)
	}
}
