package cmd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestNATSMessageOfAKilledNodeGoesToAnother: a node that took an alarm from the shared durable
// consumer and was killed (SIGKILL) before acknowledging it does not lose it: JetStream hands it
// to another node sharing the consumer once ackWait has passed, which stores it. The time from the
// kill to the alarm on the second node's console is logged (ackWait 2s), not asserted.
func TestNATSMessageOfAKilledNodeGoesToAnother(t *testing.T) {
	testsvc.RequireNATS(t)
	nc, err := nats.Connect(testsvc.NATSURL)
	if err != nil {
		testsvc.Missing(t, "NATS at "+testsvc.NATSURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	prefix := testsvc.NATSName("pk")
	cfg := config.DefaultNATS()
	cfg.URL, cfg.Stream, cfg.Durable, cfg.AckWait = testsvc.NATSURL, "PK_"+prefix, prefix, 2*time.Second
	cfg.Subjects = config.NATSSubjects{RowData: prefix + ".rowdata.{businessType}.{businessId}", Alarm: prefix + ".alarm.{businessType}.{businessId}"}
	t.Cleanup(func() { _ = js.DeleteStream(context.Background(), cfg.Stream) })

	extra := fmt.Sprintf("ingest:\n  nats:\n    url: %q\n    stream: %q\n    durable: %q\n    ackWait: \"2s\"\n"+
		"    subjects:\n      rowdata: %q\n      alarm: %q\n", cfg.URL, cfg.Stream, cfg.Durable, cfg.Subjects.RowData, cfg.Subjects.Alarm)
	nodeA := pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Extra: extra})
	poll.Eventually(t, func() bool { return natsCheckOf(nodeA.URL()) == "ok" }, "node A never consumed from NATS:\n%s", nodeA.Logs())

	// Stopped, A still holds its pull request: JetStream hands it the alarm, which it cannot handle.
	if err := nodeA.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
	defer cancel()
	if _, err := js.Publish(ctx, prefix+".alarm.meter.m-1", []byte(`{"alarmId":"lost-1","title":"taken by A"}`)); err != nil {
		t.Fatal(err)
	}
	consumer, err := js.Consumer(ctx, cfg.Stream, cfg.Durable+"-alarm")
	if err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, func() bool {
		info, err := consumer.Info(ctx)
		return err == nil && info.NumAckPending == 1
	}, "the alarm was not handed to node A")
	nodeA.Kill()
	killed := time.Now()

	nodeB := pulsenode.Start(t, func(c *config.Config) { c.Ingest.NATS = cfg })
	console := nodeB.Dial("/ws/alarm")
	a := pulsenode.AlarmOf(t, console.Next(poll.Patience))
	t.Logf("the alarm reached node B %v after node A was killed (ackWait 2s)", time.Since(killed).Round(10*time.Millisecond))
	if a.AlarmId != "lost-1" || a.BusinessType != "meter" || a.BusinessId != "m-1" {
		t.Fatalf("node B's console got %+v", a)
	}
	poll.Eventually(t, func() bool {
		info, err := consumer.Info(ctx)
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0
	}, "node B did not acknowledge the alarm")
	if stored := nodeB.StoredAlarm("lost-1"); stored == nil || stored.Count != 1 {
		t.Fatalf("node B stored %+v", stored)
	}
}

// natsCheckOf is what the /readyz of the server at base says of its NATS source.
func natsCheckOf(base string) string {
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(base + "/readyz")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var env struct {
		Data struct{ Checks map[string]string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return err.Error()
	}
	return env.Data.Checks["nats"]
}
