package alarm

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/model/entity"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/silence"
)

// store is the alarm tables in the database of database.default.link (see manifest/sql).
type store struct {
	db      gdb.DB
	dialect string // as manifest/sql names it
	name    string // the database, for messages: `pgsql database "pulse"`
	// messageBytes is SQL for the size in bytes of an event's message (pulse_alarm_event.frame)
	messageBytes  string
	write         writeSQL     // the group commit's statements
	cache         *stateCache  // states the last commits made (see stateCache)
	silences      *silence.Set // the silences not ended, as the last commit (or look) found them
	silenceLimits silence.Limits
	conn          *sql.Conn // the write connection: see writeConn
	// writer is this process's turn to write to SQLite, held by each commit and by the
	// notification store's writes (notify.NewStore); not used on the other databases.
	writer   sync.Mutex
	bigCache bool // conn's page cache was grown for large commits (writeSQL.bigCache)

	keyWindow time.Duration // how long an Idempotency-Key's answer is replayed (store_idempotency.go)

	// notify plans the notifications of each commit's events, written in its transaction (nil:
	// notifications off); notified hears that a commit wrote some.
	notify   *notify.Router
	notified func()
}

// storedEvent is one row of pulse_alarm_event: an event as consoles receive it, and the alarm it
// is of (its business routes it to consoles, its key to its history).
type storedEvent struct {
	Seq     int64
	Key     model.AlarmKey
	Message []byte
	// Event, State and Prev are what notifications are planned from: the event's name, the alarm
	// after it and before it (nil when new). Not stored.
	Event       string
	State, Prev *model.Alarm
}

// openStore connects to node's database and creates the schema if it is missing, or moves an
// older one forward (see migrate). For SQLite the database file's folder is created too.
func openStore(ctx context.Context, node gdb.ConfigNode) (*store, error) {
	db, err := gdb.New(withSQLitePragmas(node))
	if err != nil {
		return nil, gerror.Wrap(err, "alarm store: database.default")
	}
	db.SetLogger(g.Log()) // the one logger the `logger` section configures, not one of gdb's own
	dialect := dialectOf(db)
	if dialect == "sqlite" {
		prepareSQLite()
		if name := db.GetConfig().Name; name != "" && name != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
				return nil, gerror.Wrapf(err, "alarm store: creating the folder of %s", name)
			}
		}
	}
	if err := migrate(ctx, db, dialect); err != nil {
		_ = db.Close(ctx)
		return nil, err
	}
	// SQLite's length() of TEXT counts characters, and it has no octet_length() before 3.43.
	message := dao.PulseAlarmEvent.Table() + "." + dao.PulseAlarmEvent.Columns().Frame
	messageBytes := "octet_length(" + message + ")"
	if dialect == "sqlite" {
		messageBytes = "length(CAST(" + message + " AS BLOB))"
	}
	name := fmt.Sprintf("%s database %q", db.GetConfig().Type, db.GetConfig().Name)
	return &store{db: db, dialect: dialect, name: name, messageBytes: messageBytes, write: newWriteSQL(dialect),
		cache: newStateCache(stateCacheBytes), silences: silence.NewSet()}, nil
}

// dialectOf names db's SQL dialect as manifest/sql does.
func dialectOf(db gdb.DB) string {
	switch t := db.GetConfig().Type; t {
	case "mariadb", "tidb":
		return "mysql"
	default:
		return t
	}
}

func (s *store) close(ctx context.Context) error {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
	return s.db.Close(ctx)
}

// writeConn is the connection commits run on, one of the pool's kept for them. Only the committer
// commits, one group at a time, so one is enough, and keeping the same one matters: SQLite gives
// each connection a page cache of its own and empties it whenever another connection has written
// since, so commits that took whichever connection the pool had free read again, from the file,
// most pages they touched. A commit of at least bigCommit operations grows its page cache to
// writeSQL.bigCache, until the connection is let go (releaseMemory).
func (s *store) writeConn(ctx context.Context, ops int) (*sql.Conn, error) {
	if s.conn != nil {
		if ops >= bigCommit && !s.bigCache && s.write.bigCache != "" {
			if _, err := s.conn.ExecContext(ctx, s.write.bigCache); err != nil {
				return nil, err
			}
			s.bigCache = true
		}
		return s.conn, nil
	}
	db, err := s.db.Master()
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	for _, stmt := range s.write.connSetup {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	s.conn, s.bigCache = conn, false
	return s.writeConn(ctx, ops)
}

// bigCommit is the size of a commit, in operations, from which the write connection's page cache
// is grown (SQLite): a storm's groups of hundreds of repeated alarms update rows and index pages
// all over the table, and read them again from the file with the default cache (measured: 24 %
// more CPU per alarm in groups of 1,000 repeats, none in groups of 64), while a steady trickle of
// small commits gains nothing from a larger cache but memory that fills for minutes.
const bigCommit = 256

// dropWriteConn closes the write connection for good (after a failed commit, or to free its memory
// when idle), so that the next commit starts on another: the pool discards this one rather than
// hand it out again.
func (s *store) dropWriteConn() {
	if s.conn == nil {
		return
	}
	_ = s.conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = s.conn.Close()
	s.conn = nil
}

// lockSeq is the first statement of every write transaction: it changes nothing, but takes the
// lock of the pulse_alarm_seq row (see commit). It is written out, not built by a gdb.Model, so
// that nothing (a look-up of the table's columns) can run before it.
var lockSeq = func() string {
	c := dao.PulseAlarmSeq.Columns()
	return fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s = 1", dao.PulseAlarmSeq.Table(), c.Seq, c.Seq, c.Id)
}()

// probe is a write that changes nothing: it fails when writes fail (a read-only or full database).
func (s *store) probe(ctx context.Context) error {
	_, err := s.db.Exec(ctx, lockSeq)
	return err
}

// position is the last seq handed out and the highest seq retention has purged.
func (s *store) position(ctx context.Context) (last, purged int64, err error) {
	var row entity.PulseAlarmSeq
	err = s.db.Model(dao.PulseAlarmSeq.Table()).Ctx(ctx).Where(dao.PulseAlarmSeq.Columns().Id, 1).Scan(&row)
	return row.Seq, row.PurgedSeq, err
}

// keysOf returns the keys of (at most two) alarms named alarmId of the businesses scope covers:
// enough to tell none, one and several apart.
func (s *store) keysOf(ctx context.Context, alarmId string, scope model.Scope) ([]model.AlarmKey, error) {
	t, c := dao.PulseAlarm.Table(), dao.PulseAlarm.Columns()
	var rows []entity.PulseAlarm
	m := s.db.Model(t).Ctx(ctx).Fields(c.BusinessType, c.BusinessId).Where(c.AlarmId, alarmId).Limit(2)
	if err := whereScope(m, t, scope).Scan(&rows); err != nil {
		return nil, err
	}
	keys := make([]model.AlarmKey, len(rows))
	for i, r := range rows {
		keys[i] = model.AlarmKey{BusinessType: r.BusinessType, BusinessId: r.BusinessId, AlarmId: alarmId}
	}
	return keys, nil
}
