//go:build race

package alarm

// sqliteHeapAllowed: not with the race detector, whose pointer checks (checkptr) reject the pure-Go
// SQLite's address arithmetic on Go heap memory: it cannot tell which allocation an address made
// from a uintptr belongs to. SQLite keeps libc's malloc in race builds.
const sqliteHeapAllowed = false
