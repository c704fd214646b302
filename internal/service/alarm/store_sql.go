package alarm

import (
	"strconv"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/dao"
)

// writeSQL is the SQL of a group commit in one dialect. The commit runs it on its transaction's
// database/sql handle rather than through gdb's Model: a commit of one alarm spent most of its time
// in gdb building, formatting (regular expressions over the whole statement) and logging
// statements, and a group ran one UPDATE per alarm it repeated. Here the rows of each table go in
// multi-row statements: on MySQL and PostgreSQL a group of up to 500 alarms is the same handful
// of round trips whatever its size. SQLite's statements take at most 80 arguments (11 alarms, 13
// events, 80 ids): its driver binds each argument by a search through all of them (time grows with
// the square of their number), and parses every statement anew (it keeps none prepared), so
// longer ones gain nothing.
type writeSQL struct {
	dollar bool // placeholders are $1, $2... (PostgreSQL), not ?
	// maxArgs bounds the arguments, and so the rows, of one statement (see rows).
	maxArgs int

	// connSetup runs once on the write connection (see store.writeConn). SQLite: a page cache of
	// 2 MiB (SQLite's default), which bigCache grows to 16 MiB for large commits: with 2 MiB a
	// commit of a few hundred alarms reads again from the file pages it had just written; and the
	// commit that finds the WAL over wal_autocheckpoint pages copies them into the
	// database file: every 10,000 pages (40 MiB of WAL) rather than 1,000 copies a page written
	// by many commits once for more of them. Neither touches durability: a commit is on disk
	// once its WAL frames are (synchronous FULL), whenever they are copied.
	connSetup []string
	bigCache  string // grows the write connection's page cache for large commits (see writeConn)

	lock    string // takes the write lock of pulse_alarm_seq's row: see commit
	lastSeq string // the last seq handed out, and the silences' generation (pulse_silence_gen)
	setSeq  string // sets it (one argument)
	// The statements with many rows: a head, the rows' placeholders, a tail.
	// The alarms are read by their ids (one argument per id), the key's first column: the rows of
	// an id under other businesses, if any, come too and are left aside.
	selectSeqs   multiRow // alarm_id, business_type, business_id, seq of the ids named
	selectAlarms multiRow // alarm_id, business_type, business_id, seq, state of the ids named
	insertEvents multiRow // seq, alarm_id, business_type, business_id, created_ms, frame
	// The alarms changed: MySQL and PostgreSQL insert or update each row in one statement
	// (upsertAlarms); SQLite inserts the new ones and updates the stored ones (insertAlarms,
	// updateAlarms), so that no statement needs a statement journal (see newWriteSQL).
	upsert       bool
	upsertAlarms multiRow // alarm_id, business_type, business_id, seq, status, changed_ms, state, level, last_ms, search_text, first_seq: inserted, or updated (but first_seq) when stored
	insertAlarms multiRow // the same columns
	updateAlarms multiRow // the same columns, the first three naming the row to update, the last unused
}

// alarmRowCols is the number of columns of an alarm's row in upsertAlarms, insertAlarms and
// updateAlarms.
const alarmRowCols = 11

// multiRow is a statement whose middle repeats once per row: head, then each row's placeholders
// (cols of them) separated by sep, then tail.
type multiRow struct {
	head, sep, tail string
	open, close     string // around one row's placeholders
	cols            int
}

// newWriteSQL is the write path's SQL for dialect (as manifest/sql names it).
func newWriteSQL(dialect string) writeSQL {
	sc, ac, ec := dao.PulseAlarmSeq.Columns(), dao.PulseAlarm.Columns(), dao.PulseAlarmEvent.Columns()
	seqT, alarmT, eventT := dao.PulseAlarmSeq.Table(), dao.PulseAlarm.Table(), dao.PulseAlarmEvent.Table()
	w := writeSQL{dollar: dialect == "pgsql", maxArgs: 2500}
	if dialect == "sqlite" {
		w.maxArgs = 80
		w.connSetup = []string{"PRAGMA cache_size = -2048", "PRAGMA wal_autocheckpoint = 10000"} // KiB, pages
		w.bigCache = "PRAGMA cache_size = -16384"                                                // KiB
	}
	w.lock = lockSeq
	w.lastSeq = "SELECT " + sc.Seq + ", COALESCE((SELECT gen FROM pulse_silence_gen WHERE id = 1), 0) FROM " + seqT + " WHERE " + sc.Id + " = 1"
	w.setSeq = "UPDATE " + seqT + " SET " + sc.Seq + " = " + w.placeholder(1) + " WHERE " + sc.Id + " = 1"
	key := ac.AlarmId + ", " + ac.BusinessType + ", " + ac.BusinessId
	w.selectSeqs = multiRow{
		head: "SELECT " + key + ", " + ac.Seq + " FROM " + alarmT + " WHERE " + ac.AlarmId + " IN (",
		sep:  ", ", tail: ")", cols: 1,
	}
	w.selectAlarms = multiRow{
		head: "SELECT " + key + ", " + ac.Seq + ", " + ac.State + " FROM " + alarmT + " WHERE " + ac.AlarmId + " IN (",
		sep:  ", ", tail: ")", cols: 1,
	}
	// SQLite keeps a statement journal for a statement that writes many rows and might fail
	// half-way, so as to undo only that statement (ABORT, the default); OR FAIL needs none: a
	// failure fails the commit, and the transaction is rolled back as a whole anyway.
	insert := "INSERT INTO "
	if dialect == "sqlite" {
		insert = "INSERT OR FAIL INTO "
	}
	w.insertEvents = multiRow{
		head: insert + eventT + " (" + ec.Seq + ", " + ec.AlarmId + ", " + ec.BusinessType + ", " + ec.BusinessId + ", " +
			ec.CreatedMs + ", " + ec.Frame + ") VALUES ",
		sep: ", ", open: "(", close: ")", cols: 6,
	}
	// The columns an update sets, after the key; first_seq, last, is set only by the insert.
	set := []string{ac.Seq, ac.Status, ac.ChangedMs, ac.State, ac.Level, ac.LastMs, ac.SearchText}
	alarmCols := " (" + key + ", " + strings.Join(set, ", ") + ", " + ac.FirstSeq + ") VALUES "
	switch dialect {
	case "sqlite":
		w.insertAlarms = multiRow{head: insert + alarmT + alarmCols, sep: ", ", open: "(", close: ")", cols: alarmRowCols}
		// An upsert's update would need the statement journal (it aborts on failure); an UPDATE
		// from a list of VALUES (SQLite 3.33) names the rows: column1 to column3 are the key.
		for i, c := range set {
			set[i] = c + " = v.column" + strconv.Itoa(i+4)
		}
		w.updateAlarms = multiRow{
			head: "UPDATE OR FAIL " + alarmT + " SET " + strings.Join(set, ", ") + " FROM (VALUES ",
			sep:  ", ", open: "(", close: ")", cols: alarmRowCols,
			tail: ") AS v WHERE " + alarmT + "." + ac.AlarmId + " = v.column1 AND " + alarmT + "." + ac.BusinessType +
				" = v.column2 AND " + alarmT + "." + ac.BusinessId + " = v.column3",
		}
	case "mysql":
		// MariaDB has no alias for the new row (MySQL 8's "AS new"); VALUES(col) works in both.
		for i, c := range set {
			set[i] = c + " = VALUES(" + c + ")"
		}
		w.upsert = true
		w.upsertAlarms = multiRow{head: insert + alarmT + alarmCols, sep: ", ", open: "(", close: ")", cols: alarmRowCols,
			tail: " ON DUPLICATE KEY UPDATE " + strings.Join(set, ", ")}
	default:
		for i, c := range set {
			set[i] = c + " = excluded." + c
		}
		w.upsert = true
		w.upsertAlarms = multiRow{head: insert + alarmT + alarmCols, sep: ", ", open: "(", close: ")", cols: alarmRowCols,
			tail: " ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(set, ", ")}
	}
	return w
}

// rows is how many of n rows (of m) the next statement takes.
func (w writeSQL) rows(m multiRow, n int) int {
	return min(n, max(w.maxArgs/m.cols, 1))
}

// placeholder is the n-th (1-based) parameter of a statement.
func (w writeSQL) placeholder(n int) string {
	if w.dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// build is m for rows rows.
func (w writeSQL) build(m multiRow, rows int) string {
	var b strings.Builder
	b.Grow(len(m.head) + len(m.tail) + rows*(len(m.sep)+len(m.open)+len(m.close)+m.cols*6))
	b.WriteString(m.head)
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(m.sep)
		}
		b.WriteString(m.open)
		for c := range m.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(w.placeholder(n))
		}
		b.WriteString(m.close)
	}
	b.WriteString(m.tail)
	return b.String()
}
