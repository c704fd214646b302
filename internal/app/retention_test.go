package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// TestRetentionOverServer: a node's retention deletes, every alarm.purgeInterval, the cleared
// alarms and the events older than alarm.retention, but the latest event of an alarm still open;
// /metrics counts the rows per table; a console resuming from before the purge gets reset and the
// current state, one resuming from the last purged seq misses nothing; the list no longer holds
// the purged alarm. The store's rows are aged by ninety-one days in the database itself.
func TestRetentionOverServer(t *testing.T) {
	link := sqliteLink(t.TempDir())
	n := startNode(t, func(c *config.Config) {
		c.Database = gdb.ConfigNode{Link: link}
		c.Alarm.PurgeInterval = time.Second
	})
	n.raise(`{"alarmId":"a","businessType":"meter","businessId":"m-1"}`) // seq 1
	n.raise(`{"alarmId":"a","businessType":"meter","businessId":"m-1"}`) // 2, a's latest
	n.raise(`{"alarmId":"b","businessType":"meter","businessId":"m-2"}`) // 3
	n.mustPost("/api/v1/alarms/b/clear", `{}`)                           // 4
	if len(n.list("status=cleared")) != 1 {
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
	n.moved("pulse_retention_rows_purged_total", 3, "table=pulse_alarm_event") // 1, 3 and 4
	n.moved("pulse_retention_rows_purged_total", 1, "table=pulse_alarm")       // b
	if s := n.scrape(); s.value(t, "pulse_retention_last_run_timestamp_seconds", "table=pulse_alarm_event") == 0 ||
		s.value(t, "pulse_retention_failures_total", "table=pulse_alarm_event") != 0 {
		t.Fatal("retention ran without a last-run time, or failed")
	}

	c := n.dial("/ws/alarm?since=1")
	if len(c.replayed) != 2 || c.replayed[0].Type != "reset" || alarmOf(t, c.replayed[1]).AlarmId != "a" ||
		c.replayed[1].Seq != 2 || c.synced != 4 {
		t.Fatalf("resume from 1 after the purge: %d objects, synced %d; want reset, a (2), synced 4", len(c.replayed), c.synced)
	}
	_ = c.ws.Close()
	if c := n.dial("/ws/alarm?since=4"); len(c.replayed) != 0 || c.synced != 4 {
		t.Fatalf("resume from the last purged seq: %d objects, synced %d", len(c.replayed), c.synced)
	}
	if items := n.list("status=cleared"); len(items) != 0 {
		t.Fatalf("cleared alarms listed after the purge: %+v", items)
	}
	if items := n.list(""); len(items) != 1 || items[0].AlarmId != "a" {
		t.Fatalf("the list after the purge: %+v, want a alone", items)
	}
}
