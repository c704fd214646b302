// Command benchdb gives make bench an empty alarm store on a MySQL (MariaDB) or PostgreSQL server:
// it creates the database a link names when it is missing and drops Pulse's tables in it, so the
// next server to start on that link creates them afresh. It refuses any database whose name does
// not start with "pulse_bench", so a slip of the link cannot empty a store that matters.
//
//	go run ./hack/benchdb 'mysql:root:@tcp(127.0.0.1:3306)/pulse_bench'
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/gogf/gf/contrib/drivers/mysql/v2"
	_ "github.com/gogf/gf/contrib/drivers/pgsql/v2"
	"github.com/gogf/gf/v2/database/gdb"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchdb LINK (mysql:... or pgsql:..., a database named pulse_bench...)")
		os.Exit(2)
	}
	if err := empty(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "benchdb:", err)
		os.Exit(1)
	}
}

// empty makes the database of link exist and hold none of Pulse's tables.
func empty(link string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := gdb.New(gdb.ConfigNode{Link: link})
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	cfg := db.GetConfig()
	name := cfg.Name
	if !strings.HasPrefix(name, "pulse_bench") || strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	}) {
		return fmt.Errorf("database %q: only a database named pulse_bench... (lower case, digits, _) is emptied", name)
	}
	// The server's own database, through which the bench database is created: "mysql" exists in
	// every MySQL and MariaDB, "postgres" in every PostgreSQL.
	root := *cfg
	root.Link = ""
	switch cfg.Type {
	case "mysql", "mariadb":
		root.Name = "mysql"
	case "pgsql":
		root.Name = "postgres"
	default:
		return fmt.Errorf("database type %q: give a mysql: or pgsql: link", cfg.Type)
	}
	server, err := gdb.New(root)
	if err != nil {
		return err
	}
	defer server.Close(ctx)
	if cfg.Type == "pgsql" {
		n, err := server.GetValue(ctx, "SELECT count(*) FROM pg_database WHERE datname = ?", name)
		if err == nil && n.Int() == 0 {
			_, err = server.Exec(ctx, "CREATE DATABASE "+name)
		}
		if err != nil {
			return err
		}
	} else if _, err := server.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+name); err != nil {
		return err
	}
	for _, table := range []string{"pulse_alarm_event", "pulse_alarm", "pulse_alarm_seq"} {
		if _, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			return err
		}
	}
	return nil
}
