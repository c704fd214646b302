//go:build !race

package alarm

// sqliteHeapAllowed: SQLite's memory may come from the Go heap (see sqlite_heap.go; race builds
// keep libc's malloc, see sqlite_heap_race.go).
const sqliteHeapAllowed = true
