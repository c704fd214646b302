package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// receiptsOf decodes an alarm ingest answer's receipts.
func receiptsOf(t *testing.T, env pulsenode.Envelope) []model.AlarmReceipt {
	t.Helper()
	var res struct{ Items []model.AlarmReceipt }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		t.Fatal(err)
	}
	return res.Items
}

// nextAlarmEvents reads a console up to the alarm event of marker and returns the ids and events
// it read before it ("a-1 raised").
func nextAlarmEvents(t *testing.T, c *pulsenode.Client, marker string) []string {
	t.Helper()
	var got []string
	for {
		o := c.Next(pulsenode.Patience)
		if o.Type != "alarm" {
			continue
		}
		a := pulsenode.AlarmOf(t, o)
		if a.AlarmId == marker {
			return got
		}
		got = append(got, a.AlarmId+" "+o.Event)
	}
}

// TestIdempotentAlarmRetry: a retry with the same Idempotency-Key and body gets the first answer
// again (the alarm id the server chose, the same seq) with Idempotent-Replayed: true; consoles get
// no second event and the alarm's count stays 1. The same key with another body is 422 code 1422
// and stores nothing.
func TestIdempotentAlarmRetry(t *testing.T) {
	n := pulsenode.Start(t, nil)
	console := n.Dial("/ws/alarm")
	body := `{"businessType":"pump","businessId":"p-7","level":"major","title":"pressure"}` // the server picks the id

	status, first, h := n.PostOnce("/api/v1/alarm", "retry-1", body, nil)
	if status != http.StatusOK || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first post: %d %+v, Idempotent-Replayed %q", status, first, h.Get("Idempotent-Replayed"))
	}
	receipts := receiptsOf(t, first)
	for range 2 {
		status, again, h := n.PostOnce("/api/v1/alarm", "retry-1", body, nil)
		if status != http.StatusOK || string(again.Data) != string(first.Data) || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %s, Idempotent-Replayed %q; want 200 %s, \"true\"", status, again.Data, h.Get("Idempotent-Replayed"), first.Data)
		}
	}
	status, env, _ := n.PostOnce("/api/v1/alarm", "retry-1", `{"businessType":"pump","businessId":"p-7","level":"critical"}`, nil)
	if status != http.StatusUnprocessableEntity || env.Code != consts.CodeKeyReused.Code() || !strings.Contains(env.Message, "retry-1") {
		t.Fatalf("same key, another body: %d %+v; want 422 code %d naming the key", status, env, consts.CodeKeyReused.Code())
	}

	n.Raise(`{"alarmId":"marker","businessType":"meter","businessId":"m"}`)
	if got := nextAlarmEvents(t, console, "marker"); len(got) != 1 || got[0] != receipts[0].AlarmId+" raised" {
		t.Fatalf("console before the marker: %q; want one event, %s raised", got, receipts[0].AlarmId)
	}
	if a := n.StoredAlarm(receipts[0].AlarmId); a == nil || a.Count != 1 || a.Level != "major" {
		t.Fatalf("stored alarm %+v; want count 1, level major", a)
	}
	if got := n.AlarmCount(); got != 2 {
		t.Fatalf("%d alarms stored; want 2 (the keyed one and the marker)", got)
	}
	m := n.Scrape()
	if replayed, accepted := m.Value(t, "pulse_ingest_requests_replayed_total", "kind=alarm"), m.Value(t, "pulse_ingest_items_accepted_total", "kind=alarm"); replayed != 2 || accepted != 2 {
		t.Fatalf("/metrics: %v alarm requests replayed, %v alarms accepted; want 2 and 2", replayed, accepted)
	}
}

// TestIdempotencyKeyRefused: a key that is empty, longer than 128 bytes or not printable ASCII
// is 400 naming the header, on both endpoints, and nothing is published.
func TestIdempotencyKeyRefused(t *testing.T) {
	n := pulsenode.Start(t, nil)
	for _, path := range []string{"/api/v1/alarm", "/api/v1/rowdata"} {
		for _, key := range []string{strings.Repeat("k", 129), "tab\there", "é-key"} {
			status, env, _ := n.PostOnce(path, key, `{"businessType":"meter","businessId":"m-1"}`, nil)
			if status != http.StatusBadRequest || env.Code != consts.CodeInvalidInput.Code() || !strings.Contains(env.Message, "Idempotency-Key") {
				t.Errorf("%s with key %q: %d %+v; want 400 naming Idempotency-Key", path, key, status, env)
			}
		}
		status, env, _, _ := n.Request(http.MethodPost, path, "application/json", []byte(`{"businessId":"m-1"}`),
			http.Header{"Idempotency-Key": {""}})
		if status != http.StatusBadRequest || !strings.Contains(env.Message, "Idempotency-Key") {
			t.Errorf("%s with an empty key: %d %+v; want 400 naming Idempotency-Key", path, status, env)
		}
		status, env, _, _ = n.Request(http.MethodPost, path, "application/json", []byte(`{"businessId":"m-1"}`),
			http.Header{"Idempotency-Key": {"a", "b"}})
		if status != http.StatusBadRequest || !strings.Contains(env.Message, "Idempotency-Key") {
			t.Errorf("%s with two keys: %d %+v; want 400 naming Idempotency-Key", path, status, env)
		}
		status, _, _ = n.PostOnce(path, strings.Repeat("~", 128), `{"businessType":"meter","businessId":"m-1"}`, nil)
		if status != http.StatusOK {
			t.Errorf("%s with a 128-byte key: %d; want 200", path, status)
		}
	}
	if got := n.AlarmCount(); got != 1 {
		t.Fatalf("%d alarms stored; want 1 (the one with a valid key)", got)
	}
}

// TestIdempotentRowDataRetry: a row-data retry with the same key and body is answered again with
// Idempotent-Replayed: true and reaches no dashboard a second time; another body is 422.
func TestIdempotentRowDataRetry(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.RowData.SnapshotSize = 0 })
	dash := n.Dial("/ws/rowdata/meter/m-1/u")
	n.WaitConnections(1, 0)
	body := `{"businessType":"meter","businessId":"m-1","data":{"n":"1"}}`
	status, first, h := n.PostOnce("/api/v1/rowdata", "rows-1", body, nil)
	if status != http.StatusOK || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first post: %d %+v %q", status, first, h.Get("Idempotent-Replayed"))
	}
	status, again, h := n.PostOnce("/api/v1/rowdata", "rows-1", body, nil)
	if status != http.StatusOK || string(again.Data) != string(first.Data) || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s %q; want 200 %s with Idempotent-Replayed: true", status, again.Data, h.Get("Idempotent-Replayed"), first.Data)
	}
	status, env, _ := n.PostOnce("/api/v1/rowdata", "rows-1", `{"businessType":"meter","businessId":"m-1","data":{"n":"2"}}`, nil)
	if status != http.StatusUnprocessableEntity || env.Code != consts.CodeKeyReused.Code() {
		t.Fatalf("same key, another body: %d %+v; want 422 code %d", status, env, consts.CodeKeyReused.Code())
	}
	// The alarm endpoint's keys are its own: the same key there is another request.
	if status, _, h := n.PostOnce("/api/v1/alarm", "rows-1", `{"businessType":"meter","businessId":"m"}`, nil); status != http.StatusOK || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the row-data key on the alarm endpoint: %d %q; want 200, not replayed", status, h.Get("Idempotent-Replayed"))
	}
	n.Marker("end")
	if got := dash.ReceivedUntilMarker("end"); len(got) != 1 || got[0] != "1" {
		t.Fatalf("dashboard before the marker: %q; want [1]", got)
	}
	if v := n.Scrape().Value(t, "pulse_ingest_requests_replayed_total", "kind=rowdata"); v != 1 {
		t.Fatalf("/metrics: %v row-data requests replayed; want 1", v)
	}
}

// TestIdempotencyPerCredential: with auth on, two ingest keys that send the same Idempotency-Key
// are two requests (both applied); each key's own retry is replayed.
func TestIdempotencyPerCredential(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	n.Credentials = true
	body := `{"alarmId":"shared-1","businessType":"meter","businessId":"m-1"}`
	var seqs []int64
	for _, key := range []string{"broadcaster", "all-alarms"} {
		header := http.Header{"X-Api-Key": {pulsenode.IngestKey(key)}}
		status, env, h := n.PostOnce("/api/v1/alarm", "same-key", body, header)
		if status != http.StatusOK || h.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%s: %d %+v %q; want 200, not replayed", key, status, env, h.Get("Idempotent-Replayed"))
		}
		seqs = append(seqs, receiptsOf(t, env)[0].Seq)
		status, again, h := n.PostOnce("/api/v1/alarm", "same-key", body, header)
		if status != http.StatusOK || string(again.Data) != string(env.Data) || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%s retry: %d %s %q; want 200 %s replayed", key, status, again.Data, h.Get("Idempotent-Replayed"), env.Data)
		}
	}
	if seqs[0] == seqs[1] {
		t.Fatalf("both keys got seq %d: the second was replayed from the first's scope", seqs[0])
	}
	if a := n.StoredAlarm("shared-1"); a == nil || a.Count != 2 {
		t.Fatalf("stored alarm %+v; want count 2 (one raise per ingest key)", a)
	}
}

// holdStore takes the alarm store's write lock from a connection of the test's own, as another
// writer would: SQLite's write lock (BEGIN IMMEDIATE), the seq row's lock in MySQL and PostgreSQL,
// which every commit takes first. It returns the function that lets go.
func holdStore(t *testing.T, link string) (release func()) {
	t.Helper()
	db, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.Master()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := []string{"BEGIN", "UPDATE pulse_alarm_seq SET seq = seq WHERE id = 1"}
	if strings.HasPrefix(link, "sqlite:") {
		lock = []string{"BEGIN IMMEDIATE"}
	}
	for _, stmt := range lock {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
			_ = conn.Close()
			_ = db.Close(ctx)
		})
	}
	t.Cleanup(release)
	return release
}

// TestIdempotentAlarmInFlight: a repeat while the first request is still being handled is 409
// code 1411, and is not applied; once the first is answered, a retry is replayed. The first is
// held in the store deterministically: the test holds the store's write lock (holdStore), so the
// node's commit waits, and the only answer that can come while the lock is held is the refusal of
// the repeat. On SQLite (with a busy_timeout longer than the test), MariaDB and PostgreSQL.
func TestIdempotentAlarmInFlight(t *testing.T) {
	run := func(t *testing.T, link string) {
		n := pulsenode.Start(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} })
		n.Raise(`{"alarmId":"warm","businessType":"meter","businessId":"m"}`) // the schema and the write connection exist
		release := holdStore(t, link)

		type answer struct {
			status int
			env    pulsenode.Envelope
			header http.Header
		}
		answers := make(chan answer, 2)
		body := `{"alarmId":"slow-1","businessType":"meter","businessId":"m"}`
		for range 2 {
			go func() {
				h := http.Header{"Idempotency-Key": {"slow"}}
				status, env, header, _ := n.Request(http.MethodPost, "/api/v1/alarm", "application/json", []byte(body), h)
				answers <- answer{status, env, header}
			}()
		}
		refused := <-answers
		if refused.status != http.StatusConflict || refused.env.Code != consts.CodeInFlight.Code() ||
			!strings.Contains(refused.env.Message, "in flight") {
			release()
			t.Fatalf("the repeat while the first is handled: %d %+v; want 409 code %d", refused.status, refused.env, consts.CodeInFlight.Code())
		}
		release()
		done := <-answers
		if done.status != http.StatusOK || done.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("the first, once the store is free: %d %+v", done.status, done.env)
		}
		status, again, h := n.PostOnce("/api/v1/alarm", "slow", body, nil)
		if status != http.StatusOK || string(again.Data) != string(done.env.Data) || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry after the answer: %d %s %q; want 200 %s replayed", status, again.Data, h.Get("Idempotent-Replayed"), done.env.Data)
		}
		if a := n.StoredAlarm("slow-1"); a == nil || a.Count != 1 {
			t.Fatalf("stored alarm %+v; want count 1", a)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		run(t, "sqlite::@file("+t.TempDir()+"/pulse.db)?busy_timeout=600000&journal_mode=WAL")
	})
	testsvc.EachDatabase(t, "pulse_idem_inflight", run)
}

// sqliteFault makes an SQLite store refuse writes, as storeFault does for MySQL and PostgreSQL.
func sqliteFault(link string) storeFault {
	return storeFault{admin: link,
		set:   []string{"CREATE TRIGGER pulse_test_fault BEFORE UPDATE ON pulse_alarm_seq BEGIN SELECT RAISE(ABORT, 'pulse_alarm_seq is read-only (test fault)'); END"},
		clear: []string{"DROP TRIGGER IF EXISTS pulse_test_fault"}}
}

// TestIdempotencyKeepsOnly2xx: a refused request leaves no record of its key. A 503 (the store
// refuses writes) retried once the store is back is applied, once; a 400 (a bad level) followed by
// the corrected body under the same key is applied too (the key never answered 2xx, so the new
// body is not a reuse). On SQLite, MariaDB and PostgreSQL.
func TestIdempotencyKeepsOnly2xx(t *testing.T) {
	run := func(t *testing.T, link string, fault storeFault) {
		t.Cleanup(func() { fault.run(t, fault.clear) })
		n := pulsenode.Start(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} })
		console := n.Dial("/ws/alarm")

		fault.run(t, fault.set)
		body := `{"alarmId":"down-1","businessType":"meter","businessId":"m"}`
		if status, env, _ := n.PostOnce("/api/v1/alarm", "down", body, nil); status != http.StatusServiceUnavailable {
			t.Fatalf("with the store refusing writes: %d %+v; want 503", status, env)
		}
		fault.run(t, fault.clear)
		status, env, h := n.PostOnce("/api/v1/alarm", "down", body, nil)
		if status != http.StatusOK || h.Get("Idempotent-Replayed") != "" {
			t.Fatalf("retry once the store is back: %d %+v %q; want 200, applied (not replayed)", status, env, h.Get("Idempotent-Replayed"))
		}
		if status, again, h := n.PostOnce("/api/v1/alarm", "down", body, nil); status != http.StatusOK ||
			string(again.Data) != string(env.Data) || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("second retry: %d %s %q; want 200 %s replayed", status, again.Data, h.Get("Idempotent-Replayed"), env.Data)
		}

		if status, env, _ := n.PostOnce("/api/v1/alarm", "fixed", `{"alarmId":"fixed-1","businessType":"meter","businessId":"m","level":"bogus"}`, nil); status != http.StatusBadRequest {
			t.Fatalf("a bad level: %d %+v; want 400", status, env)
		}
		if status, env, h := n.PostOnce("/api/v1/alarm", "fixed", `{"alarmId":"fixed-1","businessType":"meter","businessId":"m","level":"major"}`, nil); status != http.StatusOK ||
			h.Get("Idempotent-Replayed") != "" {
			t.Fatalf("the corrected body under the same key: %d %+v %q; want 200, applied", status, env, h.Get("Idempotent-Replayed"))
		}

		n.Raise(`{"alarmId":"marker","businessType":"meter","businessId":"m"}`)
		if got := nextAlarmEvents(t, console, "marker"); fmt.Sprint(got) != "[down-1 raised fixed-1 raised]" {
			t.Fatalf("console before the marker: %q; want [down-1 raised fixed-1 raised]", got)
		}
		for _, id := range []string{"down-1", "fixed-1"} {
			if a := n.StoredAlarm(id); a == nil || a.Count != 1 {
				t.Fatalf("stored %s: %+v; want count 1", id, a)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		link := pulsenode.SQLiteLink(t.TempDir())
		run(t, link, sqliteFault(link))
	})
	testsvc.EachDatabase(t, "pulse_idem_2xx", func(t *testing.T, link string) {
		run(t, link, faultFor(link, databaseOf(link)))
	})
}

// TestIdempotentRetryOnAnotherNode: two nodes share Redis and a database. An alarm posted with a
// key to node A and retried on node B (a load balancer's retry) is answered by B with A's
// receipts, Idempotent-Replayed: true; consoles on both nodes get one event; its count is 1. Two
// copies sent to both nodes at once, both held waiting for the store's lock, end with one applied
// and the other answered the same, replayed.
func TestIdempotentRetryOnAnotherNode(t *testing.T) {
	testsvc.RequireRedis(t)
	testsvc.EachDatabase(t, "pulse_app_idem", func(t *testing.T, link string) {
		nodes := pulsenode.StartCluster(t, 2, testsvc.RedisAddr, link, false)
		a, b := nodes[0], nodes[1]
		consoles := []*pulsenode.Client{a.Dial("/ws/alarm"), b.Dial("/ws/alarm")}
		body := `{"businessType":"pump","businessId":"p-7","level":"major"}`
		status, first, _ := a.PostOnce("/api/v1/alarm", "lb-retry", body, nil)
		if status != http.StatusOK {
			t.Fatalf("post to A: %d %+v", status, first)
		}
		status, again, h := b.PostOnce("/api/v1/alarm", "lb-retry", body, nil)
		if status != http.StatusOK || string(again.Data) != string(first.Data) || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry on B: %d %s %q; want 200 %s replayed", status, again.Data, h.Get("Idempotent-Replayed"), first.Data)
		}
		id := receiptsOf(t, first)[0].AlarmId
		b.Raise(`{"alarmId":"marker","businessType":"meter","businessId":"m"}`)
		for i, c := range consoles {
			if got := nextAlarmEvents(t, c, "marker"); len(got) != 1 || got[0] != id+" raised" {
				t.Fatalf("console on node %d before the marker: %q; want [%s raised]", i, got, id)
			}
		}
		if al := b.StoredAlarm(id); al == nil || al.Count != 1 {
			t.Fatalf("stored alarm %+v; want count 1", al)
		}

		// Both copies at once, one per node, both waiting for the store: one is applied, the other
		// gets its answer. On MariaDB the test cannot tell reliably that both wait (the lock tables
		// showed one of the two now and then while both waited), so this part runs on PostgreSQL.
		if strings.HasPrefix(link, "mysql:") {
			t.Log("two copies in flight at once: checked on PostgreSQL only (see the comment)")
			return
		}
		release := holdStore(t, link)
		type answer struct {
			status int
			data   string
			header http.Header
		}
		answers := make(chan answer, 2)
		for _, nd := range nodes {
			go func() {
				h := http.Header{"Idempotency-Key": {"both"}}
				status, env, header, _ := nd.Request(http.MethodPost, "/api/v1/alarm", "application/json", []byte(`{"alarmId":"both-1","businessType":"meter","businessId":"m"}`), h)
				answers <- answer{status, string(env.Data), header}
			}()
		}
		poll.Eventually(t, func() bool { return writersWaiting(t, link) >= 2 }, "the two requests never waited for the store")
		release()
		x, y := <-answers, <-answers
		if x.status != http.StatusOK || y.status != http.StatusOK || x.data != y.data ||
			(x.header.Get("Idempotent-Replayed") == "true") == (y.header.Get("Idempotent-Replayed") == "true") {
			t.Fatalf("two copies on two nodes: %d %s %q and %d %s %q; want one applied and one replayed, the same answer",
				x.status, x.data, x.header.Get("Idempotent-Replayed"), y.status, y.data, y.header.Get("Idempotent-Replayed"))
		}
		if al := a.StoredAlarm("both-1"); al == nil || al.Count != 1 {
			t.Fatalf("stored alarm %+v; want count 1", al)
		}
	})
}

// writersWaiting is how many transactions of link's database wait for a lock.
func writersWaiting(t *testing.T, link string) int {
	t.Helper()
	db, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	query := "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p " +
		"ON p.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()"
	if strings.HasPrefix(link, "pgsql:") {
		query = "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
	}
	n, err := db.GetValue(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	return n.Int()
}

// TestIdempotentRowDataAfterBusDown: a row-data request refused 503 (Redis down) leaves no record
// of its key: retried once the bus is back, it is published, once, and a further retry is
// replayed.
func TestIdempotentRowDataAfterBusDown(t *testing.T) {
	testsvc.EachDatabase(t, "pulse_app_idem", func(t *testing.T, link string) {
		redis := testsvc.StartPrivateRedis(t)
		n := pulsenode.StartCluster(t, 1, redis.Addr, link, false)[0]
		dash := n.Dial("/ws/rowdata/meter/m-1/u")
		n.WaitConnections(1, 0)
		body := `{"businessType":"meter","businessId":"m-1","data":{"n":"1"}}`

		redis.Stop()
		poll.Eventually(t, func() bool { code, _ := n.Get("/readyz", nil); return code == http.StatusServiceUnavailable },
			"the node stayed ready without Redis")
		if status, env, _ := n.PostOnce("/api/v1/rowdata", "bus-down", body, nil); status != http.StatusServiceUnavailable {
			t.Fatalf("row data without Redis: %d %+v; want 503", status, env)
		}
		redis.Restart()
		poll.Eventually(t, func() bool { code, _ := n.Get("/readyz", nil); return code == http.StatusOK },
			"the node is not ready again with Redis back")
		if status, env, h := n.PostOnce("/api/v1/rowdata", "bus-down", body, nil); status != http.StatusOK || h.Get("Idempotent-Replayed") != "" {
			t.Fatalf("retry with Redis back: %d %+v %q; want 200, published (not replayed)", status, env, h.Get("Idempotent-Replayed"))
		}
		if status, env, h := n.PostOnce("/api/v1/rowdata", "bus-down", body, nil); status != http.StatusOK || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("second retry: %d %+v %q; want 200 replayed", status, env, h.Get("Idempotent-Replayed"))
		}
		n.Marker("end")
		if got := dash.ReceivedUntilMarker("end"); len(got) != 1 || got[0] != "1" {
			t.Fatalf("dashboard before the marker: %q; want [1]", got)
		}
	})
}
