package device

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// table is the devices' table (manifest/sql/<dialect>/pulse.sql).
const table = "pulse_device"

const cols = "id, owner, platform, handle, p256dh, auth, levels, businesses, scope, created_ms, registered_ms, expires_ms"

// Execer is a transaction or a database.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the devices of the alarm store's database.
type Store struct {
	db      *sql.DB
	dialect string // sqlite, mysql or pgsql
}

// NewStore reads and writes the devices of db, whose tables the alarm store created.
func NewStore(db *sql.DB, dialect string) *Store { return &Store{db: db, dialect: dialect} }

// q turns the "?" placeholders of query into PostgreSQL's $1, $2, ... when the store is one.
func q(dialect, query string) string {
	if dialect != "pgsql" {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Register stores d (checked) as registered at now, expiring at now+ttl: a new device, or the
// same device again (its id) with its filter and expiry renewed. Of its owner's devices, the ones
// beyond MaxPerOwner registered longest ago are removed. It returns the device as stored.
func (s *Store) Register(ctx context.Context, d *Device, now, ttl int64) (*Device, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	levels, _ := json.Marshal(d.Levels)
	businesses, _ := json.Marshal(d.Businesses)
	scope, _ := json.Marshal(d.Scope)
	var p256dh, auth string
	if d.Subscription != nil {
		p256dh, auth = d.Subscription.Keys.P256dh, d.Subscription.Keys.Auth
	}
	// The write comes first: SQLite takes its write lock with it, not after a read (which another
	// writer in between would make fail at once).
	res, err := tx.ExecContext(ctx, q(s.dialect, "UPDATE "+table+" SET p256dh = ?, auth = ?, levels = ?, businesses = ?, scope = ?, registered_ms = ?, expires_ms = ? WHERE id = ?"),
		p256dh, auth, string(levels), string(businesses), string(scope), now, now+ttl, d.ID)
	if err != nil {
		return nil, err
	}
	created := now
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		_, err = tx.ExecContext(ctx, q(s.dialect, "INSERT INTO "+table+" ("+cols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			d.ID, d.Owner, d.Platform, d.Handle(), p256dh, auth, string(levels), string(businesses), string(scope), now, now, now+ttl)
		if err != nil {
			// MySQL counts changed rows, not matched ones: the same registration twice in one
			// millisecond updated nothing, and the row is there.
			if qerr := tx.QueryRowContext(ctx, q(s.dialect, "SELECT created_ms FROM "+table+" WHERE id = ?"), d.ID).Scan(&created); qerr != nil {
				return nil, err
			}
		}
	} else if err := tx.QueryRowContext(ctx, q(s.dialect, "SELECT created_ms FROM "+table+" WHERE id = ?"), d.ID).Scan(&created); err != nil {
		return nil, err
	}
	if err := capOwner(ctx, tx, s.dialect, d.Owner, d.ID); err != nil {
		return nil, err
	}
	if err := bump(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	out := *d
	out.CreatedAt, out.RegisteredAt, out.ExpiresAt = created, now, now+ttl
	return &out, nil
}

// capOwner removes owner's devices beyond MaxPerOwner, those registered longest ago, never keep.
func capOwner(ctx context.Context, tx Execer, dialect, owner, keep string) error {
	rows, err := tx.QueryContext(ctx, q(dialect, "SELECT id FROM "+table+" WHERE owner = ? ORDER BY registered_ms DESC, created_ms DESC, id"), owner)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	kept := 1 // keep itself
	for _, id := range ids {
		if id == keep {
			continue
		}
		if kept < MaxPerOwner {
			kept++
			continue
		}
		if _, err := tx.ExecContext(ctx, q(dialect, "DELETE FROM "+table+" WHERE id = ?"), id); err != nil {
			return err
		}
	}
	return nil
}

// List is owner's devices not expired at now, registered longest ago first.
func (s *Store) List(ctx context.Context, owner string, now int64) ([]*Device, error) {
	rows, err := s.db.QueryContext(ctx, q(s.dialect, "SELECT "+cols+" FROM "+table+" WHERE owner = ? AND expires_ms > ? ORDER BY registered_ms, id"), owner, now)
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

// Get is the device id, nil when there is none or it expired at now.
func (s *Store) Get(ctx context.Context, id string, now int64) (*Device, error) {
	rows, err := s.db.QueryContext(ctx, q(s.dialect, "SELECT "+cols+" FROM "+table+" WHERE id = ? AND expires_ms > ?"), id, now)
	if err != nil {
		return nil, err
	}
	list, err := scan(rows)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// Delete removes owner's device id; it reports whether there was one.
func (s *Store) Delete(ctx context.Context, owner, id string) (bool, error) {
	n, err := s.remove(ctx, "id = ? AND owner = ?", id, owner)
	return n > 0, err
}

// Remove removes the device id, whoever's: its push service said it no longer exists.
func (s *Store) Remove(ctx context.Context, id string) error {
	_, err := s.remove(ctx, "id = ?", id)
	return err
}

// Purge removes the devices expired at now; it reports how many.
func (s *Store) Purge(ctx context.Context, now int64) (int64, error) {
	return s.remove(ctx, "expires_ms <= ?", now)
}

// remove deletes the devices where says, raising the generation when it deleted one.
func (s *Store) remove(ctx context.Context, where string, args ...any) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, q(s.dialect, "DELETE FROM "+table+" WHERE "+where), args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	if err := bump(ctx, tx); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// bump raises the devices' generation (pulse_device_gen), in the transaction that changed them:
// the nodes' copies (Cache) are read again at their next commit.
func bump(ctx context.Context, tx Execer) error {
	_, err := tx.ExecContext(ctx, "UPDATE pulse_device_gen SET gen = gen + 1 WHERE id = 1")
	return err
}

// OfPlatform reads, in tx, the devices of platform not expired at now: those an alarm's
// notification to a push outlet may go to.
func OfPlatform(ctx context.Context, tx Execer, dialect, platform string, now int64) ([]*Device, error) {
	rows, err := tx.QueryContext(ctx, q(dialect, "SELECT "+cols+" FROM "+table+" WHERE platform = ? AND expires_ms > ? ORDER BY id"), platform, now)
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

// scan reads rows of cols and closes them.
func scan(rows *sql.Rows) ([]*Device, error) {
	defer rows.Close()
	var out []*Device
	for rows.Next() {
		var (
			d                             Device
			handle, p256dh, auth          string
			levels, businesses, scopeJSON string
		)
		if err := rows.Scan(&d.ID, &d.Owner, &d.Platform, &handle, &p256dh, &auth, &levels, &businesses, &scopeJSON,
			&d.CreatedAt, &d.RegisteredAt, &d.ExpiresAt); err != nil {
			return nil, err
		}
		if d.Platform == WebPush {
			d.Subscription = &Subscription{Endpoint: handle, Keys: Keys{P256dh: p256dh, Auth: auth}}
		} else {
			d.Token = handle
		}
		if err := errors.Join(json.Unmarshal([]byte(levels), &d.Levels), json.Unmarshal([]byte(businesses), &d.Businesses),
			json.Unmarshal([]byte(scopeJSON), &d.Scope)); err != nil {
			return nil, err
		}
		if err := d.prepare(); err != nil {
			return nil, err
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}

// OfPlatform is the package's OfPlatform outside a transaction.
func (s *Store) OfPlatform(ctx context.Context, platform string, now int64) ([]*Device, error) {
	return OfPlatform(ctx, s.db, s.dialect, platform, now)
}

// Cached is c.Of outside a transaction.
func (s *Store) Cached(ctx context.Context, c *Cache, platform string, now int64) ([]*Device, error) {
	return c.Of(ctx, s.db, s.dialect, platform, now)
}
