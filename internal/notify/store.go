package notify

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// The notification tables (manifest/sql, schema version 4). The outbox holds only notifications
// still to send: a row leaves it when it is sent, fails for good or is superseded, and its record
// says which.
const (
	outboxTable = "pulse_notify_outbox"
	recordTable = "pulse_notify_record"
	timerTable  = "pulse_notify_timer"
)

const outboxCols = "id, route, step, outlet, target, business_type, business_id, alarm_id, seq, kind, group_key, created_ms, due_ms, lease_owner, lease_until, attempts, payload"

// rowCols are outboxCols without the payload, which only the rows taken to send need (payloads).
const rowCols = "id, route, step, outlet, target, business_type, business_id, alarm_id, seq, kind, group_key, created_ms, due_ms, lease_owner, lease_until, attempts, ''"

// rebind turns the "?" placeholders of q into PostgreSQL's $1, $2, ... for pgsql.
func rebind(dialect, q string) string {
	if dialect != "pgsql" {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// execer is a transaction or a database.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// rowsPerInsert bounds one INSERT's rows (SQLite allows 32766 variables; 17 columns per row),
// idsPerStatement the ids of one IN list.
const (
	rowsPerInsert   = 200
	idsPerStatement = 500
)

// On SQLite a statement takes far fewer: its driver binds each argument after a search from the
// first, so a statement's binding costs the square of its arguments. Ten rows or a hundred ids a
// statement cost little more to prepare in all and a fraction to bind (BenchmarkCommitNotify in
// internal/service/alarm for the outbox rows, BenchmarkRoundStore here for the dispatcher's).
const (
	sqliteRowsPerInsert   = 10
	sqliteIdsPerStatement = 100
)

// perInsert is how many rows one INSERT of dialect takes.
func perInsert(dialect string) int {
	if dialect == "sqlite" {
		return sqliteRowsPerInsert
	}
	return rowsPerInsert
}

// perList is how many ids one IN list of dialect takes.
func perList(dialect string) int {
	if dialect == "sqlite" {
		return sqliteIdsPerStatement
	}
	return idsPerStatement
}

// WritePlan writes p in tx: the alarm commit's transaction (or a timer's), so that the
// notifications are stored exactly when what causes them is.
func WritePlan(ctx context.Context, tx execer, dialect string, p Plan, now int64) error {
	for _, e := range p.Settled {
		steps, err := notifiedSteps(ctx, tx, dialect, e.Alarm)
		if err != nil {
			return err
		}
		if len(steps) > 0 && p.router != nil {
			p.Rows = append(p.Rows, p.router.settledRows(e, steps, p.at)...)
		}
	}
	for _, e := range p.stops {
		if p.router != nil {
			if err := cancelPending(ctx, tx, dialect, p.router, e, now); err != nil {
				return err
			}
		}
	}
	for _, k := range p.Cleared {
		if _, err := tx.ExecContext(ctx, rebind(dialect, "DELETE FROM "+timerTable+
			" WHERE alarm_id = ? AND business_type = ? AND business_id = ?"), k.AlarmId, k.BusinessType, k.BusinessId); err != nil {
			return err
		}
	}
	for _, k := range p.Stop {
		if _, err := tx.ExecContext(ctx, rebind(dialect, "DELETE FROM "+timerTable+
			" WHERE alarm_id = ? AND business_type = ? AND business_id = ? AND kind <> ?"), k.AlarmId, k.BusinessType, k.BusinessId, kindEscalatedDone); err != nil {
			return err
		}
		// Reminders and escalations not yet sent go with the timers (one being sent finishes).
		if _, err := tx.ExecContext(ctx, rebind(dialect, "DELETE FROM "+outboxTable+
			" WHERE alarm_id = ? AND business_type = ? AND business_id = ? AND lease_until < ? AND (kind = ? OR kind LIKE ?)"),
			k.AlarmId, k.BusinessType, k.BusinessId, now, KindEscalated, KindReminder+"#%"); err != nil {
			return err
		}
	}
	for _, t := range p.Timers {
		if err := setTimer(ctx, tx, dialect, t); err != nil {
			return err
		}
	}
	return insertRows(ctx, tx, dialect, p.Rows, p.router.deviceCache())
}

// cancelPending records as cancelled what the acknowledgement or clear e stops before
// WritePlan deletes it: the reminders and escalations its timers would make, and those written
// but not yet sent (one being sent finishes, and is not cancelled).
func cancelPending(ctx context.Context, tx execer, dialect string, r *Router, e Event, now int64) error {
	reason := "acknowledged"
	if e.Kind == KindCleared {
		reason = "cleared"
	}
	a := e.Alarm
	timers, err := tx.QueryContext(ctx, rebind(dialect, "SELECT route, step, kind, n FROM "+timerTable+
		" WHERE alarm_id = ? AND business_type = ? AND business_id = ? AND kind <> ?"), a.AlarmId, a.BusinessType, a.BusinessId, kindEscalatedDone)
	if err != nil {
		return err
	}
	var records []Record
	for timers.Next() {
		t := Timer{Alarm: model.AlarmKey{BusinessType: a.BusinessType, BusinessId: a.BusinessId, AlarmId: a.AlarmId}}
		if err := timers.Scan(&t.Route, &t.Step, &t.Kind, &t.N); err != nil {
			timers.Close()
			return err
		}
		records = append(records, cancelledRecords(r.timerRows(t, a, e.Seq, now), now, reason)...)
	}
	if err := timers.Close(); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, rebind(dialect, "SELECT "+rowCols+" FROM "+outboxTable+
		" WHERE alarm_id = ? AND business_type = ? AND business_id = ? AND lease_until < ? AND (kind = ? OR kind LIKE ?)"),
		a.AlarmId, a.BusinessType, a.BusinessId, now, KindEscalated, KindReminder+"#%")
	if err != nil {
		return err
	}
	pending, err := scanRows(rows)
	if err != nil {
		return err
	}
	for _, l := range pending {
		records = append(records, cancelledRecords([]Row{l.Row}, now, reason)...)
	}
	return insertRecords(ctx, tx, dialect, records)
}

// notifiedSteps are the (route, step) of the escalations already sent of alarm a.
func notifiedSteps(ctx context.Context, tx execer, dialect string, a *model.Alarm) ([][2]string, error) {
	rows, err := tx.QueryContext(ctx, rebind(dialect, "SELECT route, step FROM "+timerTable+
		" WHERE alarm_id = ? AND business_type = ? AND business_id = ? AND kind = ?"), a.AlarmId, a.BusinessType, a.BusinessId, kindEscalatedDone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var rs [2]string
		if err := rows.Scan(&rs[0], &rs[1]); err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, rows.Err()
}

// setTimer replaces the alarm's timer of t's route and step.
func setTimer(ctx context.Context, tx execer, dialect string, t Timer) error {
	if _, err := tx.ExecContext(ctx, rebind(dialect, "DELETE FROM "+timerTable+
		" WHERE route = ? AND step = ? AND business_type = ? AND business_id = ? AND alarm_id = ?"),
		t.Route, t.Step, t.Alarm.BusinessType, t.Alarm.BusinessId, t.Alarm.AlarmId); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, rebind(dialect, "INSERT INTO "+timerTable+
		" (route, step, business_type, business_id, alarm_id, kind, due_ms, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
		t.Route, t.Step, t.Alarm.BusinessType, t.Alarm.BusinessId, t.Alarm.AlarmId, t.Kind, t.Due, t.N)
	return err
}

// insertRows adds rows to the outbox, a push outlet's row once per selected device (see
// expandDevices), many to a statement; on SQLite, the statement of a full chunk is prepared once
// for all the chunks of the call (its parse cost as much as its execution).
func insertRows(ctx context.Context, tx execer, dialect string, rows []Row, cache *device.Cache) error {
	rows, err := expandDevices(ctx, tx, dialect, rows, cache)
	if err != nil {
		return err
	}
	per := perInsert(dialect)
	var full *sql.Stmt // the statement of per rows, when there are two chunks of them or more
	if len(rows) >= 2*per {
		stmt, err := tx.PrepareContext(ctx, rebind(dialect, insertStatement(dialect, per)))
		if err != nil {
			return err
		}
		defer stmt.Close()
		full = stmt
	}
	for len(rows) > 0 {
		n := min(len(rows), per)
		args := make([]any, 0, n*15)
		for _, r := range rows[:n] {
			k := r.Key
			args = append(args, r.ID, k.Route, k.Step, k.Outlet, k.Target, k.Alarm.BusinessType, k.Alarm.BusinessId,
				k.Alarm.AlarmId, k.Seq, k.Kind, r.GroupKey, r.Created, r.Due, r.Attempts, string(r.Payload))
		}
		var err error
		if n == per && full != nil {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, rebind(dialect, insertStatement(dialect, n)), args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// insertStatement is the INSERT of n outbox rows.
func insertStatement(dialect string, n int) string {
	var q strings.Builder
	q.WriteString(insertInto(dialect) + outboxTable + " (" + outboxCols + ") VALUES ")
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?)")
	}
	return q.String()
}

// insertInto begins an INSERT of many rows. On SQLite it is OR FAIL: the default (ABORT) keeps a
// statement journal, a copy of each page the statement changes, to undo only the statement if a
// row fails; the transaction fails as a whole anyway.
func insertInto(dialect string) string {
	if dialect == "sqlite" {
		return "INSERT OR FAIL INTO "
	}
	return "INSERT INTO "
}

// Store is the notification tables as the dispatcher reads and writes them.
type Store struct {
	db      *sql.DB
	dialect string // sqlite, mysql or pgsql
	devices *device.Store
	writer  sync.Locker // this process's turn to write (see NewStore), or nil
	durable string      // the synchronous level of SQLite's connections (see relaxed)
}

// NewStore reads and writes the notification tables of db, which the alarm store created. writer,
// when not nil, is held around each of the store's writes (see writing): on SQLite, one writer at
// a time, the alarm store's commits and the dispatcher's writes take turns in the process rather
// than through SQLite's busy handler, which sleeps 1 ms and more (longer than the writes it waits
// for) each time it finds the file locked.
func NewStore(db *sql.DB, dialect string, writer sync.Locker) *Store {
	return &Store{db: db, dialect: dialect, devices: device.NewStore(db, dialect), writer: writer}
}

// Devices is the registered devices of the store's database, which push outlets deliver to.
func (s *Store) Devices() *device.Store { return s.devices }

func (s *Store) q(query string) string { return rebind(s.dialect, query) }

// leased is an outbox row as the dispatcher holds it.
type leased struct {
	Row
	owner string
	until int64
}

func scanRows(rows *sql.Rows) ([]leased, error) {
	defer rows.Close()
	var out []leased
	for rows.Next() {
		var r leased
		var payload string
		k := &r.Key
		if err := rows.Scan(&r.ID, &k.Route, &k.Step, &k.Outlet, &k.Target, &k.Alarm.BusinessType, &k.Alarm.BusinessId,
			&k.Alarm.AlarmId, &k.Seq, &k.Kind, &r.GroupKey, &r.Created, &r.Due, &r.owner, &r.until, &r.Attempts, &payload); err != nil {
			return nil, err
		}
		r.Payload = []byte(payload)
		out = append(out, r)
	}
	return out, rows.Err()
}

// due lists the rows of each outlet of limits due at now that no node holds, oldest due first, at
// most its limit: an outlet with a backlog never hides another outlet's rows.
func (s *Store) due(ctx context.Context, limits map[string]int, now int64) ([]leased, error) {
	var out []leased
	for o, limit := range limits {
		rows, err := s.db.QueryContext(ctx, s.q("SELECT "+rowCols+" FROM "+outboxTable+
			" WHERE outlet = ? AND due_ms <= ? AND lease_until < ? ORDER BY due_ms LIMIT "+strconv.Itoa(limit)), o, now, now)
		if err != nil {
			return nil, err
		}
		got, err := scanRows(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// groupMates lists the rows of r's group (same route, step, outlet, target and group) that no
// node holds, whenever they are due: they leave with r.
func (s *Store) groupMates(ctx context.Context, r Row, now int64, limit int) ([]leased, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+outboxCols+" FROM "+outboxTable+
		" WHERE group_key = ? AND route = ? AND step = ? AND outlet = ? AND target = ? AND lease_until < ? AND id <> ? ORDER BY seq LIMIT "+strconv.Itoa(limit)),
		r.GroupKey, r.Key.Route, r.Key.Step, r.Key.Outlet, r.Key.Target, now, r.ID)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}

// claim leases the row to owner until until, if no node holds it. It reports whether it did.
func (s *Store) claim(ctx context.Context, id, owner string, now, until int64) (bool, error) {
	h, end, err := s.writing(ctx)
	if err != nil {
		return false, err
	}
	defer end()
	res, err := h.ExecContext(ctx, s.q("UPDATE "+outboxTable+" SET lease_owner = ?, lease_until = ? WHERE id = ? AND lease_until < ?"),
		owner, until, id, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// releaseOwn gives back every lease of owner: a node starting again under the same name is the
// only process that could hold them, and it holds none yet.
func (s *Store) releaseOwn(ctx context.Context, owner string) error {
	h, end, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer end()
	_, err = h.ExecContext(ctx, s.q("UPDATE "+outboxTable+" SET lease_owner = '', lease_until = 0 WHERE lease_owner = ?"), owner)
	return err
}

// release gives a row back without an attempt.
func (s *Store) release(ctx context.Context, id, owner string) error {
	h, end, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer end()
	_, err = h.ExecContext(ctx, s.q("UPDATE "+outboxTable+" SET lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?"), id, owner)
	return err
}

// Record is one delivery attempt (or a notification skipped) of an alarm, as the deliveries API
// shows it.
type Record struct {
	Notification string `json:"id" dc:"the notification's id (webhook-id)"`
	Route        string `json:"route" dc:"the route that sent it"`
	Step         string `json:"step,omitempty" dc:"the escalation step; absent for the route's own outlets"`
	Outlet       string `json:"outlet" dc:"the outlet's name"`
	Target       string `json:"target,omitempty" dc:"the recipient (an email address); absent for an outlet with one destination"`
	Kind         string `json:"kind" dc:"raised, repeated, acked, cleared, reminder, escalated or unsilenced"`
	Seq          int64  `json:"seq" dc:"the alarm event it is of"`
	Attempt      int    `json:"attempt" dc:"1 for the first; 0 for a notification never sent (superseded, cancelled)"`
	Status       string `json:"status" dc:"sent, retrying, failed, superseded or cancelled"`
	Time         int64  `json:"time" dc:"unix ms"`
	Error        string `json:"error,omitempty" dc:"the receiver's scheme, host and status: never a URL's path or query"`
	Reason       string `json:"reason,omitempty" dc:"why a reminder or escalation was cancelled: acknowledged, cleared, or silenced by <silence id>" eg:"acknowledged"`
	alarm        model.AlarmKey
}

// Record statuses.
const (
	StatusSent       = "sent"
	StatusRetrying   = "retrying"
	StatusFailed     = "failed"
	StatusSuperseded = "superseded"
	// StatusCancelled: a reminder or escalation that was not sent (Record.Reason says why). Its
	// id is the one it would have had.
	StatusCancelled = "cancelled"
)

func recordOf(r Row, attempt int, status string, now int64, errText string) Record {
	if len(errText) > 500 {
		errText = errText[:500]
	}
	return Record{Notification: r.ID, Route: r.Key.Route, Step: r.Key.Step, Outlet: r.Key.Outlet, Target: r.Key.Target,
		Kind: BaseKind(r.Key.Kind), Seq: r.Key.Seq, Attempt: attempt, Status: status, Time: now, Error: errText, alarm: r.Key.Alarm}
}

// placeholders is "?, ?, ..." n times.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// claimMany leases the rows of ids that no node holds to owner until until, and returns which it
// leased: one statement per IN list (perList) rather than one per row.
func (s *Store) claimMany(ctx context.Context, ids []string, owner string, now, until int64) (map[string]bool, error) {
	h, end, err := s.writing(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	got := map[string]bool{}
	for len(ids) > 0 {
		n := min(len(ids), perList(s.dialect))
		args := []any{owner, until}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		args = append(args, now)
		if _, err := h.ExecContext(ctx, s.q("UPDATE "+outboxTable+" SET lease_owner = ?, lease_until = ? WHERE id IN ("+
			placeholders(n)+") AND lease_until < ?"), args...); err != nil {
			return got, err
		}
		rows, err := h.QueryContext(ctx, s.q("SELECT id FROM "+outboxTable+" WHERE id IN ("+placeholders(n)+") AND lease_owner = ? AND lease_until = ?"),
			append(args[2:2+n:2+n], owner, until)...)
		if err != nil {
			return got, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return got, err
			}
			got[id] = true
		}
		if err := rows.Close(); err != nil {
			return got, err
		}
		ids = ids[n:]
	}
	return got, nil
}

// lanes reads the rows of the lanes of rows, each in seq order: one statement per IN list of alarm ids.
func (s *Store) lanes(ctx context.Context, rows []leased) (map[laneKey][]leased, error) {
	want := map[laneKey]bool{}
	seen := map[string]bool{}
	var ids []string
	for _, r := range rows {
		want[laneOf(r.Key)] = true
		if !seen[r.Key.Alarm.AlarmId] {
			seen[r.Key.Alarm.AlarmId] = true
			ids = append(ids, r.Key.Alarm.AlarmId)
		}
	}
	out := map[laneKey][]leased{}
	for len(ids) > 0 {
		n := min(len(ids), perList(s.dialect))
		args := make([]any, 0, n)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		res, err := s.db.QueryContext(ctx, s.q("SELECT "+rowCols+" FROM "+outboxTable+" WHERE alarm_id IN ("+placeholders(n)+")"), args...)
		if err != nil {
			return nil, err
		}
		got, err := scanRows(res)
		if err != nil {
			return nil, err
		}
		for _, r := range got {
			if l := laneOf(r.Key); want[l] {
				out[l] = append(out[l], r)
			}
		}
		ids = ids[n:]
	}
	for _, l := range out {
		sort.Slice(l, func(i, j int) bool {
			a, b := l[i], l[j]
			if a.Key.Seq != b.Key.Seq {
				return a.Key.Seq < b.Key.Seq
			}
			if a.Created != b.Created {
				return a.Created < b.Created
			}
			return a.ID < b.ID
		})
	}
	return out, nil
}

// payloads reads the payloads of the rows of ids.
func (s *Store) payloads(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for len(ids) > 0 {
		n := min(len(ids), perList(s.dialect))
		args := make([]any, 0, n)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, s.q("SELECT id, payload FROM "+outboxTable+" WHERE id IN ("+placeholders(n)+")"), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, payload string
			if err := rows.Scan(&id, &payload); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = []byte(payload)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// releaseMany gives owner's rows of ids back without an attempt.
func (s *Store) releaseMany(ctx context.Context, ids []string, owner string) error {
	h, end, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer end()
	for len(ids) > 0 {
		n := min(len(ids), perList(s.dialect))
		args := make([]any, 0, n+1)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		if _, err := h.ExecContext(ctx, s.q("UPDATE "+outboxTable+" SET lease_owner = '', lease_until = 0 WHERE id IN ("+
			placeholders(n)+") AND lease_owner = ?"), append(args, owner)...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// outcome is what one attempt (or a supersede) ends: rows done, rows to retry at retryAt, and
// their records.
type outcome struct {
	done, retry []Row
	retryAt     int64
	records     []Record
}

// finishMany ends owner's attempts in one transaction: the rows done (sent, failed, superseded)
// leave the outbox, the others are due again at their retryAt with one more attempt; each gets
// its record. A row another node took meanwhile (the lease ran out) is left to it.
func (s *Store) finishMany(ctx context.Context, owner string, outcomes []outcome) error {
	h, end, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer end()
	tx, err := h.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var done []any
	var records []Record
	for _, o := range outcomes {
		for _, r := range o.done {
			done = append(done, r.ID)
		}
		records = append(records, o.records...)
	}
	for len(done) > 0 {
		n := min(len(done), perList(s.dialect))
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+outboxTable+" WHERE id IN ("+placeholders(n)+") AND lease_owner = ?"),
			append(done[:n:n], owner)...); err != nil {
			return err
		}
		done = done[n:]
	}
	for _, o := range outcomes {
		for _, r := range o.retry {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE "+outboxTable+" SET attempts = attempts + 1, due_ms = ?, lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?"),
				o.retryAt, r.ID, owner); err != nil {
				return err
			}
		}
	}
	if err := insertRecords(ctx, tx, s.dialect, records); err != nil {
		return err
	}
	return tx.Commit()
}

// insertRecords adds records, many to a statement. A cancelled record's reason goes in the error
// column (a record has one or the other), Deliveries reads it back as the reason.
func insertRecords(ctx context.Context, tx execer, dialect string, records []Record) error {
	for len(records) > 0 {
		n := min(len(records), perInsert(dialect))
		var q strings.Builder
		q.WriteString(insertInto(dialect) + recordTable + " (notification, business_type, business_id, alarm_id, route, step, outlet, target, kind, seq, attempt, status, time_ms, error) VALUES ")
		args := make([]any, 0, n*14)
		for i, r := range records[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, r.Notification, r.alarm.BusinessType, r.alarm.BusinessId, r.alarm.AlarmId, r.Route, r.Step,
				r.Outlet, r.Target, r.Kind, r.Seq, r.Attempt, r.Status, r.Time, cmp.Or(r.Reason, r.Error))
		}
		if _, err := tx.ExecContext(ctx, rebind(dialect, q.String()), args...); err != nil {
			return err
		}
		records = records[n:]
	}
	return nil
}

// Deliveries lists an alarm's records, oldest first, at most limit.
func (s *Store) Deliveries(ctx context.Context, k model.AlarmKey, limit int) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT notification, route, step, outlet, target, kind, seq, attempt, status, time_ms, error FROM "+
		recordTable+" WHERE alarm_id = ? AND business_type = ? AND business_id = ? ORDER BY id LIMIT "+strconv.Itoa(limit)),
		k.AlarmId, k.BusinessType, k.BusinessId)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Notification, &r.Route, &r.Step, &r.Outlet, &r.Target, &r.Kind, &r.Seq, &r.Attempt, &r.Status, &r.Time, &r.Error); err != nil {
			return nil, err
		}
		if r.Status == StatusCancelled {
			r.Reason, r.Error = r.Error, ""
		}
		r.alarm = k
		out = append(out, r)
	}
	return out, rows.Err()
}

// dueTimers lists timers due at now.
func (s *Store) dueTimers(ctx context.Context, now int64, limit int) ([]Timer, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT route, step, business_type, business_id, alarm_id, kind, due_ms, n FROM "+timerTable+
		" WHERE due_ms <= ? ORDER BY due_ms LIMIT "+strconv.Itoa(limit)), now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Timer
	for rows.Next() {
		var t Timer
		if err := rows.Scan(&t.Route, &t.Step, &t.Alarm.BusinessType, &t.Alarm.BusinessId, &t.Alarm.AlarmId, &t.Kind, &t.Due, &t.N); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// errTimerGone: another node fired the timer, or an acknowledgement removed it.
var errTimerGone = errors.New("timer gone")

// fire fires t once in one transaction, whichever nodes try: it takes the alarm store's commit
// lock (the pulse_alarm_seq row, as every alarm commit does first), so that an acknowledgement
// committing at the same time either removed the timer already or sees the reminder it makes;
// removes the timer if it is still as read; reads the alarm; writes what build returns.
func (s *Store) fire(ctx context.Context, t Timer, now int64, cache *device.Cache, build func(a *model.Alarm, seq int64) Firing) error {
	h, end, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer end()
	tx, err := h.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "UPDATE pulse_alarm_seq SET seq = seq WHERE id = 1"); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.q("DELETE FROM "+timerTable+
		" WHERE route = ? AND step = ? AND business_type = ? AND business_id = ? AND alarm_id = ? AND due_ms = ? AND n = ?"),
		t.Route, t.Step, t.Alarm.BusinessType, t.Alarm.BusinessId, t.Alarm.AlarmId, t.Due, t.N)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errTimerGone
	}
	var seq int64
	var state string
	var a *model.Alarm
	err = tx.QueryRowContext(ctx, s.q("SELECT seq, state FROM pulse_alarm WHERE alarm_id = ? AND business_type = ? AND business_id = ?"),
		t.Alarm.AlarmId, t.Alarm.BusinessType, t.Alarm.BusinessId).Scan(&seq, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		a = new(model.Alarm)
		if err := json.Unmarshal([]byte(state), a); err != nil {
			return err
		}
	}
	f := build(a, seq)
	if f.Next != nil {
		if err := setTimer(ctx, tx, s.dialect, *f.Next); err != nil {
			return err
		}
	}
	if err := insertRows(ctx, tx, s.dialect, f.Rows, cache); err != nil {
		return err
	}
	if err := insertRecords(ctx, tx, s.dialect, f.Cancelled); err != nil {
		return err
	}
	return tx.Commit()
}

// pending counts the outbox rows of each outlet and the oldest one's creation time.
func (s *Store) pending(ctx context.Context) (map[string]int64, map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT outlet, COUNT(*), MIN(created_ms) FROM "+outboxTable+" GROUP BY outlet")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	count, oldest := map[string]int64{}, map[string]int64{}
	for rows.Next() {
		var o string
		var n, m int64
		if err := rows.Scan(&o, &n, &m); err != nil {
			return nil, nil, err
		}
		count[o], oldest[o] = n, m
	}
	return count, oldest, rows.Err()
}

// purge deletes records older than before, at most batch of them; it reports how many it did.
func (s *Store) purge(ctx context.Context, before int64, batch int) (int64, error) {
	h, end, err := s.writing(ctx)
	if err != nil {
		return 0, err
	}
	defer end()
	q := "DELETE FROM " + recordTable + " WHERE id IN (SELECT id FROM " + recordTable + " WHERE time_ms < ? ORDER BY id LIMIT " + strconv.Itoa(batch) + ")"
	if s.dialect == "mysql" { // MySQL cannot LIMIT in an IN subquery of the table deleted from
		q = "DELETE FROM " + recordTable + " WHERE time_ms < ? ORDER BY id LIMIT " + strconv.Itoa(batch)
	}
	res, err := h.ExecContext(ctx, s.q(q), before)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
