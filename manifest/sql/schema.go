// Package schema embeds the alarm store's DDL, one file per SQL dialect, so the server can create
// its tables at start from the same files operators read.
package schema

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed sqlite/pulse.sql mysql/pulse.sql pgsql/pulse.sql
var files embed.FS

// Statements returns the DDL statements for dialect ("sqlite", "mysql" or "pgsql"), in order.
func Statements(dialect string) ([]string, error) {
	b, err := files.ReadFile(dialect + "/pulse.sql")
	if err != nil {
		return nil, fmt.Errorf("no schema for database type %q (sqlite, mysql and pgsql are supported)", dialect)
	}
	var stmts []string
	for _, s := range strings.Split(stripComments(string(b)), ";") {
		if s = strings.TrimSpace(s); s != "" {
			stmts = append(stmts, s)
		}
	}
	return stmts, nil
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
