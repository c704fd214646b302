package alarm

import (
	"strings"

	"github.com/gogf/gf/v2/database/gdb"
)

// sqlitePragmas are the settings every connection to an SQLite store gets, unless the link sets
// them (the driver runs each as PRAGMA name(value) when it opens a connection):
//
//   - synchronous FULL: a commit (and so the 200 of an alarm) returns once the WAL is on disk,
//     so it survives a power loss, not only a crash of the process. It is SQLite's own default,
//     written out so that no driver's other default can weaken it; NORMAL would survive kill -9
//     but could lose the last commits in a power loss.
//   - temp_store MEMORY: a statement that writes many rows keeps its statement journal (what undoes
//     that one statement if it fails half-way) in memory rather than in a temporary file it writes
//     to with a system call per page; crash recovery uses the WAL, never that journal.
var sqlitePragmas = []struct{ name, value string }{
	{"synchronous", "FULL"},
	{"temp_store", "MEMORY"},
}

// withSQLitePragmas adds sqlitePragmas to an SQLite node's parameters (in its link, or in Extra
// when it is given by fields); other databases' nodes are returned as they are.
func withSQLitePragmas(node gdb.ConfigNode) gdb.ConfigNode {
	link := node.Link
	if node.Type != "" && link != "" && !strings.HasPrefix(link, node.Type+":") {
		link = node.Type + ":" + link // as gdb reads it
	}
	switch {
	case strings.HasPrefix(link, "sqlite:"):
		node.Link = addParams(link)
	case link == "" && node.Type == "sqlite":
		node.Extra = strings.TrimPrefix(addParams("?"+node.Extra), "?")
	}
	return node
}

// addParams appends the pragmas that s (a link, or "?" and parameters) does not set already.
func addParams(s string) string {
	_, query, _ := strings.Cut(s, "?")
	for _, p := range sqlitePragmas {
		if hasParam(query, p.name) {
			continue
		}
		switch {
		case !strings.Contains(s, "?"):
			s += "?"
		case !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "&"):
			s += "&"
		}
		s += p.name + "=" + p.value
	}
	return s
}

// hasParam says whether the query string sets name (SQLite's pragma names are case-insensitive).
func hasParam(query, name string) bool {
	for _, kv := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return true
		}
	}
	return false
}
