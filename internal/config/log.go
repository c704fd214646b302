package config

// Log is the "log" section: how Pulse's log is written.
type Log struct {
	Format string `json:"format"` // "text" (one line per entry) or "json" (one JSON object per line, glog's JSON handler)
	Access bool   `json:"access"` // one line per HTTP request and WebSocket upgrade: method, path, status, duration, ingest key name
}

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
)
