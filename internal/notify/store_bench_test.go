package notify

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite"

	"github.com/pulse-monitoring/pulse/internal/model"
	schema "github.com/pulse-monitoring/pulse/manifest/sql"
)

// BenchmarkRoundStore is the store's part of a dispatcher's round on SQLite, per notification:
// 200 due rows leased, their lanes and payloads read, and their outcomes stored with a record
// each in one transaction, as a round that sent them all does. The rows are written beforehand
// (outside the timing), as alarm commits would. SQLite's allocator is not sealed here as the
// server's is (see alarm.prepareSQLite), so the figure includes page mappings the server does not
// make: compare builds with it, not the server.
//
//	go test -run xxx -bench RoundStore ./internal/notify/ | grep cpu-ns
func BenchmarkRoundStore(b *testing.B) {
	const perRound = 200
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+b.TempDir()+"/n.db?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	stmts, err := schema.Statements("sqlite")
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	s := NewStore(db, "sqlite", &sync.Mutex{})
	payload := []byte(`{"alarmId":"a","businessType":"meter","businessId":"m-1","level":"critical","status":"active","seq":1}`)
	rounds := (b.N + perRound - 1) / perRound
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	var all [][]Row
	for r := range rounds {
		rows := make([]Row, perRound)
		for i := range rows {
			k := Key{Route: "all", Outlet: "hook", Kind: KindRaised, Seq: int64(r*perRound + i + 1),
				Alarm: model.AlarmKey{BusinessType: "meter", BusinessId: "m-1", AlarmId: fmt.Sprintf("a-%d-%d", r, i)}}
			rows[i] = Row{ID: k.ID(), Key: k, Created: 1, Due: 1, Payload: payload}
		}
		if err := insertRows(ctx, tx, "sqlite", rows, nil); err != nil {
			b.Fatal(err)
		}
		all = append(all, rows)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UnixMilli()
	cpu := cpuTime()
	b.ResetTimer()
	for _, rows := range all {
		ids := make([]string, len(rows))
		got := make([]leased, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			got[i] = leased{Row: r}
		}
		if _, err := s.claimMany(ctx, ids, "node", now, now+30_000); err != nil {
			b.Fatal(err)
		}
		if _, err := s.lanes(ctx, got); err != nil {
			b.Fatal(err)
		}
		if _, err := s.payloads(ctx, ids); err != nil {
			b.Fatal(err)
		}
		outcomes := make([]outcome, len(rows))
		for i, r := range rows {
			outcomes[i] = outcome{done: []Row{r}, records: []Record{recordOf(r, 1, StatusSent, now, "")}}
		}
		if err := s.finishMany(ctx, "node", outcomes); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(rounds*perRound), "cpu-ns/notification")
}

// cpuTime is the user and system time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
