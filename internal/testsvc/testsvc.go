// Package testsvc gives tests the real services Pulse uses on the project's machines: Redis at
// 127.0.0.1:6379, MariaDB at 127.0.0.1:3306 and PostgreSQL at 127.0.0.1:5432, each database
// test in a database of its own, and a private redis-server a test may stop and start. Where a
// service is missing a test is skipped with a message, except under CI (CI=true), where it fails.
package testsvc

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/gogf/gf/contrib/drivers/mysql/v2"
	_ "github.com/gogf/gf/contrib/drivers/pgsql/v2"
	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// The machine's services.
const (
	RedisAddr = "127.0.0.1:6379"
	MySQLLink = "mysql:root:@tcp(127.0.0.1:3306)/test"
	PgsqlLink = "pgsql:postgres:@tcp(127.0.0.1:5432)/test?sslmode=disable"
)

// Missing skips the test saying what is missing, or fails it under CI.
func Missing(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI: %v", what, err)
	}
	t.Skipf("%s not available, test skipped: %v", what, err)
}

// RequireRedis checks that the machine's Redis answers.
func RequireRedis(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", RedisAddr, 5*time.Second)
	if err != nil {
		Missing(t, "Redis at "+RedisAddr, err)
		return
	}
	_ = c.Close()
}

// EachDatabase runs test on MariaDB and on PostgreSQL, each time with the link of an empty alarm
// store (see Database).
func EachDatabase(t *testing.T, database string, test func(t *testing.T, link string)) {
	for _, server := range []string{"mysql", "pgsql"} {
		t.Run(server, func(t *testing.T) {
			if link := Database(t, server, database); link != "" {
				test(t, link)
			}
		})
	}
}

// Database is the link of an empty alarm store on server (mysql: MariaDB, pgsql: PostgreSQL): a
// database of this test process's own, named database_<pid>, dropped when the test ends. Packages
// run in parallel, and so may the same package in two checkouts on one machine. "" (the test
// skipped, or failed under CI) when the server cannot be reached.
func Database(t testing.TB, server, database string) string {
	database = fmt.Sprintf("%s_%d", database, os.Getpid())
	root, suffix := MySQLLink, "/test"
	if server == "pgsql" {
		root, suffix = PgsqlLink, "/test?sslmode=disable"
	}
	link := strings.TrimSuffix(root, suffix) + "/" + database + strings.TrimPrefix(suffix, "/test")
	if err := emptyDatabase(root, link, database); err != nil {
		Missing(t, server, err)
		return ""
	}
	t.Cleanup(func() { dropDatabase(root, database) })
	return link
}

// emptyDatabase creates database through the server's root link if needed and drops Pulse's
// tables in it.
func emptyDatabase(root, link, database string) error {
	ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
	defer cancel()
	db, err := gdb.New(gdb.ConfigNode{Link: root})
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	if db.GetConfig().Type == "pgsql" {
		n, err := db.GetValue(ctx, "SELECT count(*) FROM pg_database WHERE datname = ?", database)
		if err == nil && n.Int() == 0 {
			_, err = db.Exec(ctx, "CREATE DATABASE "+database)
		}
		if err != nil {
			return err
		}
	} else if _, err := db.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+database); err != nil {
		return err
	}
	tdb, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		return err
	}
	defer tdb.Close(ctx)
	for _, table := range []string{"pulse_alarm_event", "pulse_alarm", "pulse_alarm_seq", "pulse_schema", "pulse_idempotency", "pulse_silence", "pulse_silence_gen", "pulse_ack_link", "pulse_device", "pulse_device_gen",
		"pulse_notify_outbox", "pulse_notify_record", "pulse_notify_timer"} {
		if _, err := tdb.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			return err
		}
	}
	return nil
}

// dropDatabase removes database, closing what connections to it are left (best effort: a database
// left behind only takes room).
func dropDatabase(root, database string) {
	ctx, cancel := context.WithTimeout(context.Background(), poll.Patience)
	defer cancel()
	db, err := gdb.New(gdb.ConfigNode{Link: root})
	if err != nil {
		return
	}
	defer db.Close(ctx)
	drop := "DROP DATABASE IF EXISTS " + database
	if db.GetConfig().Type == "pgsql" {
		drop += " WITH (FORCE)"
	}
	_, _ = db.Exec(ctx, drop)
}

// PrivateRedis is a redis-server of the test's own on a free port, so it can be stopped and
// started again without disturbing the machine's Redis.
type PrivateRedis struct {
	t    testing.TB
	bin  string
	Addr string
	dir  string
	cmd  *exec.Cmd
}

// StartPrivateRedis starts one; it is killed when the test ends.
func StartPrivateRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		Missing(t, "redis-server (apt-get install redis-server; hack/install-deps.sh does it)", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	r := &PrivateRedis{t: t, bin: bin, Addr: addr, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.Stop)
	return r
}

func (r *PrivateRedis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.Addr)
	r.cmd = exec.Command(r.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	poll.Eventually(r.t, func() bool {
		c, err := net.DialTimeout("tcp", r.Addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, "redis-server on %s did not start", r.Addr)
}

// Stop kills the server (as a crash or a network loss would look to the nodes).
func (r *PrivateRedis) Stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// Restart starts the server again on the same port, empty.
func (r *PrivateRedis) Restart() {
	r.t.Helper()
	r.start()
}
