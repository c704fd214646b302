package config

import (
	"path/filepath"
	"strings"

	"github.com/gogf/gf/v2/database/gdb"
)

// absSQLite makes node's SQLite file absolute, relative to base (the working directory), before
// gdb sees it: GoFrame's driver looks a relative file up in the binary's and the main package's
// folders too, and would use a database found there. It returns the node and the file ("" when
// node is not an SQLite file, e.g. another database or ":memory:").
func absSQLite(node gdb.ConfigNode, base string) (gdb.ConfigNode, string) {
	if !isSQLite(node) {
		return node, ""
	}
	if node.Link == "" { // type: sqlite, name: <file>
		node.Name = absFile(node.Name, base)
		return node, fileOf(node.Name)
	}
	// The file sits between "@file(" and the next ")", as gdb's link pattern reads it.
	start := strings.Index(node.Link, "@file(")
	if start < 0 {
		return node, ""
	}
	start += len("@file(")
	end := strings.IndexByte(node.Link[start:], ')')
	if end < 0 {
		return node, ""
	}
	name := absFile(node.Link[start:start+end], base)
	node.Link = node.Link[:start] + name + node.Link[start+end:]
	return node, fileOf(name)
}

// absFile is name joined to base when name is a relative file path.
func absFile(name, base string) string {
	if fileOf(name) == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(base, name)
}

// fileOf is name when it names a file, "" for an in-memory database or a "file:" URI (which the
// SQLite driver resolves itself).
func fileOf(name string) string {
	if name == "" || name == ":memory:" || strings.HasPrefix(name, "file:") {
		return ""
	}
	return name
}
