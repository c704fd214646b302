package cmd

import (
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
)

// TestDescribeStore: the start log names the alarm store's dialect and location, never its
// password, whatever the password holds, nor the link's parameters.
func TestDescribeStore(t *testing.T) {
	for _, c := range []struct {
		node gdb.ConfigNode
		want string
	}{
		{gdb.ConfigNode{Link: "sqlite::@file(/srv/pulse/data/pulse.db)?busy_timeout=5000"}, "sqlite file /srv/pulse/data/pulse.db"},
		{gdb.ConfigNode{Link: "sqlite::@file(:memory:)"}, "sqlite in memory (lost when the server stops)"},
		{gdb.ConfigNode{Type: "sqlite", Name: "/srv/pulse.db"}, "sqlite file /srv/pulse.db"},
		{gdb.ConfigNode{Link: "mysql:pulse:pw-secret-1@tcp(10.0.0.6:3306)/pulse?charset=utf8mb4"}, `mysql tcp(10.0.0.6:3306)/pulse, user "pulse"`},
		{gdb.ConfigNode{Link: "mysql:pulse:p@ss@tcp(x)@tcp(10.0.0.6:3306)/pulse"}, `mysql tcp(10.0.0.6:3306)/pulse, user "pulse"`},
		{gdb.ConfigNode{Link: "pgsql:postgres:pw-secret-2@tcp(db:5432)/pulse?sslmode=disable&password=pw-secret-3"}, `pgsql tcp(db:5432)/pulse, user "postgres"`},
		{gdb.ConfigNode{Link: "mysql:pulse:pw-secret-4@/pulse"}, "mysql (a link Pulse cannot show without risking its password)"},
		{gdb.ConfigNode{Type: "pgsql", Host: "db", Port: "5432", Name: "pulse", User: "pulse", Pass: "pw-secret-5"}, `pgsql db:5432/pulse, user "pulse"`},
	} {
		got := describeStore(c.node)
		if got != c.want || strings.Contains(got, "pw-") || strings.Contains(got, "ss@") {
			t.Errorf("%+v:\n got  %s\n want %s", c.node, got, c.want)
		}
	}
}
