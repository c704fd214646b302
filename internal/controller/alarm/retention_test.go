package alarm_test

import (
	"context"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestRetentionOverServer: a node's retention deletes, every alarm.purgeInterval, the cleared
// alarms and the events older than alarm.retention, but the latest event of an alarm still open;
// /metrics counts the rows per table; a console resuming from before the purge gets reset and the
// current state, one resuming from the last purged seq misses nothing; the list no longer holds
// the purged alarm. The store's rows are aged by ninety-one days in the database itself.
func TestRetentionOverServer(t *testing.T) {
	link := pulsenode.SQLiteLink(t.TempDir())
	n := pulsenode.Start(t, func(c *config.Config) {
		c.Database = gdb.ConfigNode{Link: link}
		c.Alarm.PurgeInterval = time.Second
	})
	n.Raise(`{"alarmId":"a","businessType":"meter","businessId":"m-1"}`) // seq 1
	n.Raise(`{"alarmId":"a","businessType":"meter","businessId":"m-1"}`) // 2, a's latest
	n.Raise(`{"alarmId":"b","businessType":"meter","businessId":"m-2"}`) // 3
	n.MustPost("/api/v1/alarms/b/clear", `{}`)                           // 4
	if len(n.List("status=cleared")) != 1 {
		t.Fatal("b is not listed as cleared")
	}

	db, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	aged := (91 * 24 * time.Hour).Milliseconds()
	for _, stmt := range []string{"UPDATE pulse_alarm_event SET created_ms = created_ms - ?", "UPDATE pulse_alarm SET changed_ms = changed_ms - ?"} {
		if _, err := db.Exec(context.Background(), stmt, aged); err != nil {
			t.Fatal(err)
		}
	}
	n.Moved("pulse_retention_rows_purged_total", 3, "table=pulse_alarm_event") // 1, 3 and 4
	n.Moved("pulse_retention_rows_purged_total", 1, "table=pulse_alarm")       // b
	if s := n.Scrape(); s.Value(t, "pulse_retention_last_run_timestamp_seconds", "table=pulse_alarm_event") == 0 ||
		s.Value(t, "pulse_retention_failures_total", "table=pulse_alarm_event") != 0 {
		t.Fatal("retention ran without a last-run time, or failed")
	}

	c := n.Dial("/ws/alarm?since=1")
	if len(c.Replayed) != 2 || c.Replayed[0].Type != "reset" || pulsenode.AlarmOf(t, c.Replayed[1]).AlarmId != "a" ||
		c.Replayed[1].Seq != 2 || c.Synced != 4 {
		t.Fatalf("resume from 1 after the purge: %d objects, synced %d; want reset, a (2), synced 4", len(c.Replayed), c.Synced)
	}
	_ = c.WS.Close()
	if c := n.Dial("/ws/alarm?since=4"); len(c.Replayed) != 0 || c.Synced != 4 {
		t.Fatalf("resume from the last purged seq: %d objects, synced %d", len(c.Replayed), c.Synced)
	}
	if items := n.List("status=cleared"); len(items) != 0 {
		t.Fatalf("cleared alarms listed after the purge: %+v", items)
	}
	if items := n.List(""); len(items) != 1 || items[0].AlarmId != "a" {
		t.Fatalf("the list after the purge: %+v, want a alone", items)
	}
}
