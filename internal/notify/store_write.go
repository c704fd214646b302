package notify

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// handle is what a store's statements run on: the pool, or one connection of it.
type handle interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// writing waits for this process's turn to write (see NewStore) and returns the handle to write on
// and the turn's end, to call when the write is done.
//
// On SQLite the write runs on a connection of the pool with synchronous NORMAL: its commit does not
// wait for the disk. What the dispatcher writes (leases, outcomes, records) may be lost to a power
// failure, never to a crash of the process, and losing it costs a notification sent again with the
// same id, which receivers deduplicate by. The next alarm commit (synchronous FULL) makes it
// durable anyway, as the log is synced in order. An alarm's own commit, and so its notifications'
// rows, keeps its FULL sync: notifications are never lost. Each fsync here used to hold the write
// lock the ingest's commits wait for: with notifications on, alarm ingest spent a fifth of its time
// waiting for the dispatcher's bookkeeping.
func (s *Store) writing(ctx context.Context) (handle, func(), error) {
	if s.writer == nil {
		return s.db, func() {}, nil
	}
	s.writer.Lock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		s.writer.Unlock()
		return nil, nil, err
	}
	restore := ""
	if s.relaxed(ctx, conn) {
		restore = "PRAGMA synchronous = " + s.durable
	}
	return conn, func() {
		if restore != "" {
			if _, err := conn.ExecContext(context.Background(), restore); err != nil {
				// A connection left unsynced must not serve anyone else: the pool drops it.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}
		_ = conn.Close()
		s.writer.Unlock()
	}, nil
}

// relaxed sets conn's synchronous to NORMAL when the store's connections sync more (FULL or EXTRA,
// as the link sets them; read once) and reports whether it did.
func (s *Store) relaxed(ctx context.Context, conn *sql.Conn) bool {
	if s.durable == "" {
		var level int
		if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err != nil {
			return false
		}
		s.durable = "-" // OFF or NORMAL already: nothing to relax
		if level >= 2 {
			s.durable = [...]string{2: "FULL", 3: "EXTRA"}[min(level, 3)]
		}
	}
	if s.durable == "-" {
		return false
	}
	_, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL")
	return err == nil
}
