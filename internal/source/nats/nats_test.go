package nats_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// bed is one test's place on the machine's NATS server: a stream, subjects and a durable of its
// own (tests of several packages and checkouts share the server), deleted when the test ends.
type bed struct {
	t      testing.TB
	nc     *nats.Conn
	js     jetstream.JetStream
	prefix string
	cfg    config.NATS
}

func newBed(t testing.TB) *bed {
	t.Helper()
	testsvc.RequireNATS(t)
	nc, err := nats.Connect(testsvc.NATSURL)
	if err != nil {
		testsvc.Missing(t, "NATS at "+testsvc.NATSURL, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	prefix := testsvc.NATSName("pt")
	cfg := config.DefaultNATS()
	cfg.URL = testsvc.NATSURL
	cfg.Stream = "PT_" + prefix
	cfg.Durable = prefix
	cfg.Subjects = config.NATSSubjects{RowData: prefix + ".rowdata.{businessType}.{businessId}", Alarm: prefix + ".alarm.{businessType}.{businessId}"}
	cfg.DeadLetter = prefix + ".refused"
	b := &bed{t: t, nc: nc, js: js, prefix: prefix, cfg: cfg}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = js.DeleteStream(ctx, cfg.Stream)
	})
	return b
}

// node starts a Pulse node consuming the bed's stream (cfg edited by edit, when set) and waits
// until it consumes.
func (b *bed) node(edit func(*config.Config)) *pulsenode.Node {
	b.t.Helper()
	n := pulsenode.Start(b.t, func(c *config.Config) {
		c.Ingest.NATS = b.cfg
		if edit != nil {
			edit(c)
		}
	})
	waitConsuming(b.t, n)
	return n
}

// waitConsuming waits until /readyz says the node's NATS source consumes.
func waitConsuming(t testing.TB, n *pulsenode.Node) {
	t.Helper()
	var last string
	if !poll.Until(func() bool { last = natsCheck(t, n); return last == "ok" }) {
		t.Fatalf("the NATS source did not start consuming; /readyz says %q", last)
	}
}

// natsCheck is what /readyz's checks say of the NATS source.
func natsCheck(t testing.TB, n *pulsenode.Node) string {
	t.Helper()
	_, env := n.Get("/readyz", nil)
	var res struct{ Checks map[string]string }
	_ = json.Unmarshal(env.Data, &res)
	return res.Checks["nats"]
}

func (b *bed) subject(kind, typ, id string) string {
	return b.prefix + "." + kind + "." + typ + "." + id
}

// publish stores payload on subject in the stream, with headers given as name, value pairs.
func (b *bed) publish(subject, payload string, headers ...string) {
	b.t.Helper()
	m := nats.NewMsg(subject)
	m.Data = []byte(payload)
	for i := 0; i+1 < len(headers); i += 2 {
		m.Header.Set(headers[i], headers[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
	defer cancel()
	if _, err := b.js.PublishMsg(ctx, m); err != nil {
		b.t.Fatalf("publishing on %s: %v", subject, err)
	}
}

// settled waits until both consumers (or those of kinds) have delivered everything and hold
// nothing unacknowledged.
func (b *bed) settled(kinds ...string) {
	b.t.Helper()
	if len(kinds) == 0 {
		kinds = []string{"rowdata", "alarm"}
	}
	for _, kind := range kinds {
		var info *jetstream.ConsumerInfo
		ok := poll.Until(func() bool {
			info = b.consumerInfo(kind)
			return info != nil && info.NumPending == 0 && info.NumAckPending == 0
		})
		if !ok {
			b.t.Fatalf("consumer %s-%s did not settle: %+v", b.cfg.Durable, kind, info)
		}
	}
}

func (b *bed) consumerInfo(kind string) *jetstream.ConsumerInfo {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := b.js.Consumer(ctx, b.cfg.Stream, b.cfg.Durable+"-"+kind)
	if err != nil {
		return nil
	}
	info, err := c.Info(ctx)
	if err != nil {
		return nil
	}
	return info
}

// TestRowDataReachesADashboard: row data published with nats.go reaches a dashboard's WebSocket,
// with the business the subject names, and is acknowledged.
func TestRowDataReachesADashboard(t *testing.T) {
	b := newBed(t)
	n := b.node(nil)
	dash := n.Dial(pulsenode.RowPath("meter", "m-1", "ann"))
	n.WaitConnections(1, 0)
	b.publish(b.subject("rowdata", "meter", "m-1"), `{"data":{"voltage":229.8}}`)
	o := dash.Next(poll.Patience)
	var row struct {
		BusinessType, BusinessId string
		Data                     map[string]float64
	}
	if err := json.Unmarshal(o.Data, &row); err != nil || o.Type != "rowdata" {
		t.Fatalf("dashboard got %s (%v)", o.Raw, err)
	}
	if row.BusinessType != "meter" || row.BusinessId != "m-1" || row.Data["voltage"] != 229.8 {
		t.Fatalf("dashboard got %s, want meter/m-1 voltage 229.8", o.Raw)
	}
	b.settled()
}

// TestAlarmReachesAConsoleAndIsStored: an alarm published with nats.go reaches a console, is in
// the store, and is acknowledged once stored.
func TestAlarmReachesAConsoleAndIsStored(t *testing.T) {
	b := newBed(t)
	n := b.node(nil)
	console := n.Dial("/ws/alarm")
	b.publish(b.subject("alarm", "meter", "m-7"), `{"alarmId":"ov-1","level":"critical","title":"Over-voltage"}`)
	a := pulsenode.AlarmOf(t, console.Next(poll.Patience))
	if a.AlarmId != "ov-1" || a.BusinessType != "meter" || a.BusinessId != "m-7" || a.Level != "critical" {
		t.Fatalf("console got %+v", a)
	}
	if stored := n.StoredAlarm("ov-1"); stored == nil || stored.Count != 1 {
		t.Fatalf("stored: %+v", stored)
	}
	b.settled()
	n.Moved("pulse_broker_messages_total", 1, "source=nats", "kind=alarm")
	m := n.Scrape()
	if m.Value(t, "pulse_broker_connected", "source=nats", "session=alarm") != 1 || m.Value(t, "pulse_broker_connected", "source=nats", "session=rowdata") != 1 {
		t.Fatal("pulse_broker_connected says a consumer of the source is not consuming")
	}
	m.Value(t, "pulse_broker_lag_messages", "source=nats") // JetStream's num_pending is known
}

// deadLetters subscribes to the bed's dead-letter subject.
func (b *bed) deadLetters() chan *nats.Msg {
	b.t.Helper()
	ch := make(chan *nats.Msg, 64)
	sub, err := b.nc.ChanSubscribe(b.cfg.DeadLetter, ch)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := b.nc.Flush(); err != nil {
		b.t.Fatal(err)
	}
	return ch
}

// TestRefusedMessagesAreTerminatedAndDeadLettered: what can never be published is terminated
// (never redelivered) and copied to the dead-letter subject with the reason; a business whose id
// cannot be a subject token, sent as "_" and named in the payload, is accepted.
func TestRefusedMessagesAreTerminatedAndDeadLettered(t *testing.T) {
	b := newBed(t)
	b.cfg.Businesses = []string{"meter/*"}
	n := b.node(nil)
	letters := b.deadLetters()
	dash := n.Dial(pulsenode.RowPath("meter", "*", "ann"))
	n.WaitConnections(1, 0)

	refused := []struct {
		name, subject, payload, reason string
	}{
		{"bad JSON", b.subject("rowdata", "meter", "m-1"), `{"data":`, "body"},
		{"another business than the subject", b.subject("rowdata", "meter", "m-1"), `{"businessId":"m-2","data":1}`, "businessId"},
		{"outside the source's businesses", b.subject("alarm", "pump", "p-1"), `{"title":"dry run"}`, "pump/p-1"},
		{"the pulse type", b.subject("alarm", "pulse", "notify"), `{"title":"fake"}`, "reserved"},
		{"an invalid level", b.subject("alarm", "meter", "m-1"), `{"level":"loud"}`, "level"},
	}
	for _, r := range refused {
		b.publish(r.subject, r.payload, "X-Trace", r.name)
	}
	b.publish(b.subject("rowdata", "meter", "_"), `{"businessId":"site.3","data":{"v":1}}`)

	for range refused {
		var m *nats.Msg
		select {
		case m = <-letters:
		case <-time.After(poll.Patience):
			t.Fatal("a refused message did not reach the dead-letter subject")
		}
		name := m.Header.Get("X-Trace")
		var want *struct{ name, subject, payload, reason string }
		for i := range refused {
			if refused[i].name == name {
				want = &refused[i]
			}
		}
		if want == nil {
			t.Fatalf("dead letter without the publisher's header: %+v", m.Header)
		}
		why := m.Header.Get("Pulse-Refused")
		if m.Header.Get("Pulse-Subject") != want.subject || string(m.Data) != want.payload || !strings.Contains(why, want.reason) {
			t.Errorf("%s: dead letter %q on %q says %q; want the payload, its subject and a reason naming %q",
				name, m.Data, m.Header.Get("Pulse-Subject"), why, want.reason)
		}
	}
	o := dash.Next(poll.Patience)
	if o.Type != "rowdata" || !strings.Contains(string(o.Data), `"businessId":"site.3"`) {
		t.Fatalf("the dashboard of meter/* got %s, want the row of meter/site.3", o.Raw)
	}
	b.settled() // terminated: nothing waits for a redelivery
	if got := n.AlarmCount(); got != 0 {
		t.Fatalf("%d alarms stored from refused messages", got)
	}
	if info := b.consumerInfo("alarm"); info == nil || info.NumRedelivered != 0 {
		t.Fatalf("refused alarms were redelivered: %+v", info)
	}
	for reason, want := range map[string]float64{"invalid": 2, "topic": 1, "scope": 1, "reserved": 1} {
		if got := n.Scrape().Value(t, "pulse_broker_refused_total", "source=nats", "reason="+reason); got != want {
			t.Errorf("pulse_broker_refused_total{reason=%q} = %v, want %v", reason, got, want)
		}
	}
}

// TestRepeatsCountOnce: a message published twice with the same eventId, or the same
// Nats-Msg-Id, raises its alarm once.
func TestRepeatsCountOnce(t *testing.T) {
	b := newBed(t)
	n := b.node(nil)
	console := n.Dial("/ws/alarm")
	subject := b.subject("alarm", "meter", "m-1")
	b.publish(subject, `{"alarmId":"e-1","title":"t","eventId":"ev-1"}`)
	b.publish(subject, `{"alarmId":"e-1","title":"t","eventId":"ev-1"}`)
	b.publish(subject, `{"alarmId":"h-1","title":"t"}`, nats.MsgIdHdr, "msg-1")
	b.publish(subject, `{"alarmId":"h-1","title":"t"}`, nats.MsgIdHdr, "msg-1")
	b.publish(subject, `{"alarmId":"end","title":"t"}`)
	var seen []string
	for len(seen) == 0 || seen[len(seen)-1] != "end" {
		seen = append(seen, pulsenode.AlarmOf(t, console.Next(poll.Patience)).AlarmId)
	}
	if strings.Join(seen, ",") != "e-1,h-1,end" {
		t.Fatalf("console saw %v, want each alarm once", seen)
	}
	for _, id := range []string{"e-1", "h-1"} {
		if a := n.StoredAlarm(id); a == nil || a.Count != 1 {
			t.Fatalf("%s stored as %+v, want count 1", id, a)
		}
	}
	b.settled()
}

// TestTwoNodesShareTheConsumer: two nodes naming the same durable share its consumers: each
// message is taken by one of them, once.
func TestTwoNodesShareTheConsumer(t *testing.T) {
	b := newBed(t)
	nodes := []*pulsenode.Node{b.node(nil), b.node(nil)}
	var dashes []*pulsenode.Client
	for _, n := range nodes {
		dashes = append(dashes, n.Dial(pulsenode.RowPath("meter", "*", "ann")))
		n.WaitConnections(1, 0)
	}
	const count = 200
	for i := range count {
		b.publish(b.subject("rowdata", "meter", "m-"+strconv.Itoa(i)), `{"data":{"i":`+strconv.Itoa(i)+`}}`)
	}
	b.settled()
	seen := map[int]int{}
	per := make([]int, len(nodes))
	for i, d := range dashes {
		for {
			o, err := d.TryNext(2 * time.Second) // everything was acknowledged: it was delivered
			if err != nil {
				break
			}
			seen[pulsenode.RowValue(o)]++
			per[i]++
		}
	}
	for i := range count {
		if seen[i] != 1 {
			t.Fatalf("row %d reached the dashboards %d times, want once (per node: %v)", i, seen[i], per)
		}
	}
	t.Logf("rows taken per node: %v", per)
}

// TestStartsWithoutTheServer: a node whose NATS server cannot be reached starts, serves, and
// says so in /readyz without failing readiness.
func TestStartsWithoutTheServer(t *testing.T) {
	cfg := config.DefaultNATS()
	cfg.URL = "nats://" + pulseproc.FreeAddr(t) // a port nothing listens on
	n := pulsenode.Start(t, func(c *config.Config) { c.Ingest.NATS = cfg })
	var why string
	if !poll.Until(func() bool { why = natsCheck(t, n); return strings.Contains(why, "cannot reach "+cfg.URL) }) {
		t.Fatalf("/readyz says of nats %q, want why it does not consume", why)
	}
	if code, _ := n.Get("/readyz", nil); code != http.StatusOK {
		t.Fatalf("/readyz %d: a source that cannot connect must not make the node unready", code)
	}
	if code, _ := n.Post("/api/v1/rowdata", map[string]any{"businessType": "meter", "businessId": "m", "data": 1}); code != http.StatusOK {
		t.Fatalf("HTTP ingest answered %d while NATS is away", code)
	}
}

// TestStoreThatCannotWriteIsRedelivered: an alarm the store cannot write is not acknowledged:
// JetStream delivers it again until the store takes it, and it is stored once.
func TestStoreThatCannotWriteIsRedelivered(t *testing.T) {
	b := newBed(t)
	link := pulsenode.SQLiteLink(t.TempDir())
	n := b.node(func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} })
	console := n.Dial("/ws/alarm")
	n.Raise(`{"alarmId":"before","businessType":"meter","businessId":"m-0"}`) // the seq row exists
	pulsenode.AlarmOf(t, console.Next(poll.Patience))

	db, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	exec := func(sql string) {
		if _, err := db.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Every commit updates the seq row first: the trigger makes each one fail, as a full disk would.
	exec("CREATE TRIGGER pulse_test_fault BEFORE UPDATE ON pulse_alarm_seq BEGIN SELECT RAISE(ABORT, 'test fault'); END")
	b.publish(b.subject("alarm", "meter", "m-1"), `{"alarmId":"held","title":"while the store fails"}`)
	n.Moved("pulse_broker_retries_total", 2, "source=nats") // delivered, refused by the store, delivered again
	exec("DROP TRIGGER pulse_test_fault")

	a := pulsenode.AlarmOf(t, console.Next(poll.Patience))
	if a.AlarmId != "held" {
		t.Fatalf("console got %+v", a)
	}
	b.settled()
	if stored := n.StoredAlarm("held"); stored == nil || stored.Count != 1 {
		t.Fatalf("stored %+v", stored)
	}
}
