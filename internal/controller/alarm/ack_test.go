package alarm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestAckDoesNotHoldReader: while a console's ack waits for its database commit, the console's
// reader goes on: a ping sent after the ack is answered before the commit can finish. The test
// holds the lock every commit takes first (the pulse_alarm_seq row) in a transaction of its own.
func TestAckDoesNotHoldReader(t *testing.T) {
	testsvc.EachDatabase(t, "pulse_ack_reader", func(t *testing.T, link string) {
		n := pulsenode.Start(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} })
		console := n.Dial("/ws/alarm")
		n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1"}`)
		if o := console.Next(pulsenode.Patience); o.Event != "raised" {
			t.Fatalf("want the raised event, got %s", o.Raw)
		}

		db, err := gdb.New(gdb.ConfigNode{Link: link})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close(context.Background()) })
		tx, err := db.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		released := false
		release := func() {
			if !released {
				released = true
				_ = tx.Rollback()
			}
		}
		t.Cleanup(release) // before the node's shutdown, which waits for the commit: cleanups run last first
		if _, err := tx.Exec("UPDATE pulse_alarm_seq SET seq = seq WHERE id = 1"); err != nil {
			t.Fatal(err)
		}

		console.Send(`{"type":"ack","alarmId":"ov-1","user":"carol"}`)
		// The reader handles one message after the other: had it committed the ack itself, it
		// would still be waiting for the held lock when the ping comes, and the pong would not.
		console.Send(`{"type":"ping"}`)
		if o := console.Next(pulsenode.Patience); o.Type != "pong" {
			t.Fatalf("while the ack's commit waits: got %s, want the pong", o.Raw)
		}

		release()
		o := console.Next(pulsenode.Patience)
		if o.Event != "acked" || !strings.Contains(string(o.Data), `"ackedBy":"carol"`) {
			t.Fatalf("after the lock is released: got %s, want the acked event", o.Raw)
		}
	})
}

// TestAckUserRule: the HTTP ack and a console's ack refuse the same user fields with the same code
// and reason: one rule for both.
func TestAckUserRule(t *testing.T) {
	n := pulsenode.Start(t, nil)
	console := n.Dial("/ws/alarm")
	n.Raise(`{"alarmId":"ov-1","businessType":"meter","businessId":"m-1"}`)
	if o := console.Next(pulsenode.Patience); o.Event != "raised" {
		t.Fatalf("want the raised event, got %s", o.Raw)
	}
	for _, field := range []string{
		``, `"user":""`, `"user":"` + strings.Repeat("u", 129) + `"`, `"user":"a\u0007b"`,
		`"user":"\ud800"`, `"user":7`, `"USER":"carol"`, `"user":"a","user":"b"`,
	} {
		status, env := n.Post("/api/v1/alarms/ov-1/ack", "{"+field+"}")
		message := `{"type":"ack","alarmId":"ov-1"`
		if field != "" {
			message += "," + field
		}
		console.Send(message + "}")
		o := console.Next(pulsenode.Patience)
		reason := strings.TrimPrefix(env.Message, "body: ")
		if status != 400 || reason == "" || o.Type != "error" || o.Code != env.Code || !strings.Contains(o.Message, reason) {
			t.Errorf("{%.40s}: HTTP %d %+v; console %s", field, status, env, o.Raw)
		}
	}
}
