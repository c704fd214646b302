package alarm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"

	schema "pulse/manifest/sql"
)

// store is the alarm tables in the database of database.default.link (see manifest/sql).
type store struct {
	db         gdb.DB
	name       string // the database, for messages: `pgsql database "pulse"`
	frameBytes string // SQL for the size in bytes of e.frame
}

// storedEvent is one row of pulse_alarm_event: an event as consoles receive it.
type storedEvent struct {
	Seq     int64
	AlarmId string
	Frame   []byte
}

// openStore connects to node's database and creates the schema if it is missing. For SQLite the
// database file's folder is created too.
func openStore(ctx context.Context, node gdb.ConfigNode) (*store, error) {
	db, err := gdb.New(node)
	if err != nil {
		return nil, gerror.Wrap(err, "alarm store: database.default")
	}
	dialect := dialectOf(db)
	if dialect == "sqlite" {
		if name := db.GetConfig().Name; name != "" && name != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
				return nil, gerror.Wrapf(err, "alarm store: creating the folder of %s", name)
			}
		}
	}
	stmts, err := schema.Statements(dialect)
	if err != nil {
		return nil, gerror.Wrap(err, "alarm store")
	}
	for _, stmt := range stmts {
		if _, err := db.Exec(ctx, stmt); err != nil {
			_ = db.Close(ctx)
			return nil, gerror.Wrapf(err, "alarm store: creating the schema (%s)", dialect)
		}
	}
	// SQLite's length() of TEXT counts characters, and it has no octet_length() before 3.43.
	frameBytes := "octet_length(e.frame)"
	if dialect == "sqlite" {
		frameBytes = "length(CAST(e.frame AS BLOB))"
	}
	name := fmt.Sprintf("%s database %q", db.GetConfig().Type, db.GetConfig().Name)
	return &store{db: db, name: name, frameBytes: frameBytes}, nil
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

func (s *store) close(ctx context.Context) error { return s.db.Close(ctx) }

// probe is a write that changes nothing: it fails when writes fail (a read-only or full database).
func (s *store) probe(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "UPDATE pulse_alarm_seq SET seq = seq WHERE id = 1")
	return err
}

// position is the last seq handed out and the highest seq retention has purged.
func (s *store) position(ctx context.Context) (last, purged int64, err error) {
	r, err := s.db.GetOne(ctx, "SELECT seq, purged_seq FROM pulse_alarm_seq WHERE id = 1")
	if err != nil {
		return 0, 0, err
	}
	return r["seq"].Int64(), r["purged_seq"].Int64(), nil
}

// states returns the state (JSON) of up to limit alarms, newest change first; status "" means any.
func (s *store) states(ctx context.Context, status string, limit int) ([][]byte, error) {
	m := s.db.Model("pulse_alarm").Ctx(ctx).Fields("state").OrderDesc("seq").Limit(limit)
	if status != "" {
		m = m.Where("status", status)
	}
	rows, err := m.All()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(rows))
	for i, r := range rows {
		out[i] = r["state"].Bytes()
	}
	return out, nil
}

// purge deletes cleared alarms and events older than cutoff (server unix ms), except the latest
// event of an alarm that is not cleared (it is that alarm's current state), and records the highest
// purged seq so that a resume from before it is answered with the full state instead.
func (s *store) purge(ctx context.Context, cutoff int64) (alarms, events int64, err error) {
	err = s.db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		if _, err := tx.Exec("UPDATE pulse_alarm_seq SET seq = seq WHERE id = 1"); err != nil {
			return err
		}
		r, err := tx.Exec("DELETE FROM pulse_alarm WHERE status = ? AND changed_ms < ?", statusCleared, cutoff)
		if err != nil {
			return err
		}
		alarms, _ = r.RowsAffected()
		const stale = "FROM pulse_alarm_event WHERE created_ms < ? AND seq NOT IN (SELECT seq FROM pulse_alarm)"
		top, err := tx.GetValue("SELECT MAX(seq) "+stale, cutoff)
		if err != nil || top.IsNil() {
			return err
		}
		if r, err = tx.Exec("DELETE "+stale, cutoff); err != nil {
			return err
		}
		events, _ = r.RowsAffected()
		_, err = tx.Exec("UPDATE pulse_alarm_seq SET purged_seq = ? WHERE id = 1 AND purged_seq < ?", top.Int64(), top.Int64())
		return err
	})
	return alarms, events, err
}
