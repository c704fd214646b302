package config

import "fmt"

// minReserve is the fewest descriptors kept for everything but client connections: the database
// pool and its files (SQLite: the database, its WAL and shared memory), Redis, the log file.
const minReserve = 256

// reserveFor is how many of limit descriptors are kept for everything but client connections: a
// tenth, and at least minReserve.
func reserveFor(limit int) int { return max(minReserve, limit/10) }

// httpShare is how many of the connection budget an automatic ws.maxConnections leaves to HTTP
// requests (half the budget when it is smaller), so that /healthz, /metrics and the API find room
// while every WebSocket allowed is open.
const httpShare = 256

// resolveConnections decides, from the process's open-file limit (known false: none), the
// connection budget, the most TCP connections the server holds (0 = no bound), and
// ws.maxConnections from its configured value (0 = automatic). It returns both (0 = unlimited) and
// the start log's line saying where they came from; a configured value the budget cannot hold is
// refused, naming the key and the limit.
func resolveConnections(configured, limit int, known bool) (budget, ws int, note string, err error) {
	if !known {
		if configured == 0 {
			return 0, 0, "ws.maxConnections unlimited (no open-file limit on this system)", nil
		}
		return 0, configured, fmt.Sprintf("ws.maxConnections %d (configured; no open-file limit on this system)", configured), nil
	}
	reserve := reserveFor(limit)
	budget = limit - reserve
	if budget < 1 {
		return 0, 0, "", invalid("ws.maxConnections", "the open-file limit is %d, which leaves no descriptor for connections once %d are kept for the database and the process's files: raise it (ulimit -n, systemd LimitNOFILE)", limit, reserve)
	}
	held := fmt.Sprintf("at most %d TCP connections (open-file limit %d, %d kept for the database and the process's files)", budget, limit, reserve)
	switch {
	case configured == 0:
		share := min(httpShare, budget/2)
		return budget, budget - share, fmt.Sprintf("%s; ws.maxConnections %d (%d of them kept for HTTP requests)", held, budget-share, share), nil
	case configured > budget:
		return 0, 0, "", invalid("ws.maxConnections", "%d is more than this process can hold open: the open-file limit is %d and %d are kept for the database and the process's files, so at most %d (or 0, automatic); raise the limit (ulimit -n, systemd LimitNOFILE) for more", configured, limit, reserve, budget)
	}
	return budget, configured, fmt.Sprintf("%s; ws.maxConnections %d (configured)", held, configured), nil
}
