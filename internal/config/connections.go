package config

import "fmt"

// minReserve is the fewest descriptors kept for everything but WebSockets: the HTTP API's
// connections (/healthz among them), the database pool and its files (SQLite: the database, its
// WAL and shared memory), Redis, the log file.
const minReserve = 256

// reserveFor is how many of limit descriptors are kept for everything but WebSockets: a tenth,
// and at least minReserve.
func reserveFor(limit int) int { return max(minReserve, limit/10) }

// resolveConnections decides ws.maxConnections from the configured value (0 = automatic) and the
// process's open-file limit (known false: none). It returns the number in use (0 = unlimited)
// and the start log's line saying where it came from; a configured value the limit cannot hold
// is refused, naming the key and the limit.
func resolveConnections(configured, limit int, known bool) (int, string, error) {
	if !known {
		if configured == 0 {
			return 0, "ws.maxConnections unlimited (no open-file limit on this system)", nil
		}
		return configured, fmt.Sprintf("ws.maxConnections %d (configured; no open-file limit on this system)", configured), nil
	}
	reserve := reserveFor(limit)
	most := limit - reserve
	if most < 1 {
		return 0, "", invalid("ws.maxConnections", "the open-file limit is %d, which leaves no descriptor for WebSockets once %d are kept for the API and the database: raise it (ulimit -n, systemd LimitNOFILE)", limit, reserve)
	}
	switch {
	case configured == 0:
		return most, fmt.Sprintf("ws.maxConnections %d (open-file limit %d, %d kept for the API and the database)", most, limit, reserve), nil
	case configured > most:
		return 0, "", invalid("ws.maxConnections", "%d is more than this process can hold open: the open-file limit is %d and %d are kept for the API and the database, so at most %d (or 0, automatic); raise the limit (ulimit -n, systemd LimitNOFILE) for more", configured, limit, reserve, most)
	}
	return configured, fmt.Sprintf("ws.maxConnections %d (configured; open-file limit %d, at most %d)", configured, limit, most), nil
}
