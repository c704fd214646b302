//go:build !unix

package config

// openFileLimit reports false: this system has no open-file limit to read, so ws.maxConnections 0
// stays unlimited.
func openFileLimit() (int, bool) { return 0, false }
