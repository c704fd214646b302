package ingest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/syncbuf"
)

// storeFault makes the node's database refuse writes, for real, from a second connection, and
// takes that back: a trigger refuses every update of the seq row, which every write takes first
// (root and the postgres superuser bypass read-only settings; a database turned read-only reaches
// only sessions opened afterwards, which made the PostgreSQL case depend on the pool's timing).
type storeFault struct {
	set, clear []string
	admin      string // the link the statements run on
}

func faultFor(link, _ string) storeFault {
	if strings.HasPrefix(link, "pgsql:") {
		return storeFault{admin: link,
			set: []string{
				"CREATE OR REPLACE FUNCTION pulse_test_fault() RETURNS trigger LANGUAGE plpgsql AS " +
					"$$ BEGIN RAISE EXCEPTION 'pulse_alarm_seq is read-only (test fault)'; END $$",
				"CREATE TRIGGER pulse_test_fault BEFORE UPDATE ON pulse_alarm_seq FOR EACH ROW EXECUTE FUNCTION pulse_test_fault()"},
			clear: []string{"DROP TRIGGER IF EXISTS pulse_test_fault ON pulse_alarm_seq", "DROP FUNCTION IF EXISTS pulse_test_fault()"}}
	}
	return storeFault{admin: link,
		set: []string{"CREATE TRIGGER pulse_test_fault BEFORE UPDATE ON pulse_alarm_seq FOR EACH ROW " +
			"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'pulse_alarm_seq is read-only (test fault)'"},
		clear: []string{"DROP TRIGGER IF EXISTS pulse_test_fault"}}
}

// databaseOf is the database a link names (EachDatabase makes the name its own): what follows the
// link's last "/", up to its options.
func databaseOf(link string) string {
	name, _, _ := strings.Cut(link[strings.LastIndex(link, "/")+1:], "?")
	return name
}

func (f storeFault) run(t *testing.T, stmts []string) {
	t.Helper()
	db, err := gdb.New(gdb.ConfigNode{Link: f.admin})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	for _, s := range stmts {
		if _, err := db.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestStoreWriteFailure: when the database refuses writes, alarm ingest answers 503 with
// {code,message} (no SQL in it), the failure is logged with the database's name, and /readyz
// answers 503 naming the database; once the fault is gone, a write succeeds and /readyz is 200.
func TestStoreWriteFailure(t *testing.T) {
	testsvc.EachDatabase(t, "pulse_store_failure", func(t *testing.T, link string) {
		database := databaseOf(link)
		logs := new(syncbuf.Buffer)
		g.Log().SetWriter(logs)
		t.Cleanup(func() { g.Log().SetWriter(nil) }) // after the node's shutdown: cleanups run last first
		fault := faultFor(link, database)
		t.Cleanup(func() { fault.run(t, fault.clear) })
		n := pulsenode.Start(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} })
		n.Raise(`{"alarmId":"before","businessType":"meter","businessId":"m"}`)
		if code, env := n.Get("/readyz", nil); code != http.StatusOK {
			t.Fatalf("readyz before the fault: %d %+v", code, env)
		}

		fault.run(t, fault.set)
		var status int
		var env pulsenode.Envelope
		poll.Eventually(t, func() bool {
			status, env = n.Post("/api/v1/alarm", `{"alarmId":"during","businessType":"meter","businessId":"m"}`)
			return status != http.StatusOK
		}, "ingest still answers 200 with the database refusing writes")
		if status != http.StatusServiceUnavailable || env.Code != consts.CodeUnavailable.Code() || env.Message == "" ||
			strings.Contains(env.Message, "pulse_alarm") || strings.Contains(env.Message, "UPDATE") {
			t.Fatalf("ingest while writes fail: %d %+v; want 503 with code %d and a message without SQL",
				status, env, consts.CodeUnavailable.Code())
		}
		code, env := n.Get("/readyz", nil)
		if code != http.StatusServiceUnavailable || !strings.Contains(env.Message, "database") ||
			!strings.Contains(env.Message, database) {
			t.Fatalf("readyz while writes fail: %d %+v; want 503 naming the database %s", code, env, database)
		}
		t.Logf("readyz: %s", env.Message)
		if m := n.Scrape(); m.Value(t, "pulse_alarm_store_writes_failing") != 1 || m.Value(t, "pulse_alarm_commit_failures_total") < 1 {
			t.Fatalf("/metrics while writes fail: pulse_alarm_store_writes_failing %v, pulse_alarm_commit_failures_total %v; want 1 and at least 1",
				m.Value(t, "pulse_alarm_store_writes_failing"), m.Value(t, "pulse_alarm_commit_failures_total"))
		}
		if log := logs.String(); !strings.Contains(log, "alarm store") || !strings.Contains(log, database) {
			t.Fatalf("no log line names the failing database; the log:\n%s", log)
		}

		fault.run(t, fault.clear)
		if !poll.Until(func() bool {
			status, env = n.Post("/api/v1/alarm", `{"alarmId":"after","businessType":"meter","businessId":"m"}`)
			return status == http.StatusOK
		}) {
			t.Fatalf("ingest does not recover once the database takes writes again: %d %+v", status, env)
		}
		if code, env := n.Get("/readyz", nil); code != http.StatusOK {
			t.Fatalf("readyz after a write succeeded: %d %+v", code, env)
		}
		if v := n.Scrape().Value(t, "pulse_alarm_store_writes_failing"); v != 0 {
			t.Fatalf("pulse_alarm_store_writes_failing %v after a write succeeded, want 0", v)
		}
	})
}
