// Package schema embeds the alarm store's DDL, one folder per SQL dialect, so the server can
// create its tables at start from the same files operators read: <dialect>/pulse.sql is the
// current schema, and <dialect>/migrate/vN.sql moves a store at version N-1 to version N.
package schema

import (
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

//go:embed sqlite/pulse.sql mysql/pulse.sql pgsql/pulse.sql */migrate/*.sql
var files embed.FS

// Version is the schema version pulse.sql creates: the highest step of migrate/ (1, the schema
// before steps were numbered, when there is none). A new step is a file vN.sql in each dialect's
// migrate/ folder; a new table needs none (pulse.sql creates what is missing on every start).
var Version = func() int {
	v := 1
	steps, _ := fs.Glob(files, "sqlite/migrate/v*.sql")
	for _, s := range steps {
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(s, "sqlite/migrate/v"), ".sql")); err == nil {
			v = max(v, n)
		}
	}
	return v
}()

// Statements returns the DDL statements for dialect ("sqlite", "mysql" or "pgsql"), in order.
func Statements(dialect string) ([]string, error) {
	b, err := files.ReadFile(dialect + "/pulse.sql")
	if err != nil {
		return nil, fmt.Errorf("no schema for database type %q (sqlite, mysql and pgsql are supported)", dialect)
	}
	return split(string(b)), nil
}

// Step returns the statements that move a store of dialect from version-1 to version.
func Step(dialect string, version int) ([]string, error) {
	b, err := files.ReadFile(fmt.Sprintf("%s/migrate/v%d.sql", dialect, version))
	if err != nil {
		return nil, fmt.Errorf("no step to schema version %d for database type %q", version, dialect)
	}
	return split(string(b)), nil
}

// split cuts a file into its statements, which end with ";" (none holds one in a string).
func split(sql string) []string {
	var stmts []string
	for _, s := range strings.Split(stripComments(sql), ";") {
		if s = strings.TrimSpace(s); s != "" {
			stmts = append(stmts, s)
		}
	}
	return stmts
}

// stripComments drops "--" comments, which run to the end of their line.
func stripComments(sql string) string {
	lines := strings.Split(sql, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "--"); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}
