// Package config reads Pulse's own configuration sections over their embedded defaults.
package config

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/database/gredis"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// WS is the "ws" section: WebSocket limits and timers.
type WS struct {
	AllowedOrigins []string      `json:"allowedOrigins"` // [] = same origin; ["*"] = any
	MaxMessageSize int64         `json:"maxMessageSize"` // bytes
	PingInterval   time.Duration `json:"pingInterval"`
	PongTimeout    time.Duration `json:"pongTimeout"`
	WriteTimeout   time.Duration `json:"writeTimeout"`
	SendQueue      int           `json:"sendQueue"`      // messages per connection
	MaxConnections int           `json:"maxConnections"` // 0 = automatic: Load sets it below the open-file limit; 0 after Load = unlimited
	WriteDelay     time.Duration `json:"writeDelay"`     // a woken writer waits this long to batch what follows
	InboundRate    float64       `json:"inboundRate"`    // frames/s a client may send, burst 2 x rate; over it: close 1008; 0 = no limit
	// Compression negotiates permessage-deflate (RFC 7692, no context takeover) with clients that
	// offer it; the engine compresses only the frames where it pays (internal/hub/compress.go).
	Compression bool `json:"compression"`
}

// Ingest is the "ingest" section.
type Ingest struct {
	MaxBodySize int64 `json:"maxBodySize"` // bytes; a larger request body is answered 413
	// IdempotencyWindow is how long an Idempotency-Key's answer is kept for a retry.
	IdempotencyWindow time.Duration `json:"idempotencyWindow"`
	// MQTT is the MQTT broker row data and alarms are consumed from (ingest_mqtt.go).
	MQTT MQTT `json:"mqtt"`
	// NATS is the NATS JetStream stream row data and alarms are consumed from (ingest_nats.go).
	NATS NATS `json:"nats"`
}

// Bus is the "bus" section.
type Bus struct {
	Type    string `json:"type"`    // "memory" (one node) or "redis" (a cluster, through redis.default)
	Channel string `json:"channel"` // the Redis channel a cluster's nodes share
}

// RowData is the "rowdata" section: chart snapshots and history.
type RowData struct {
	SnapshotSize int `json:"snapshotSize"` // latest items per (type, id) a new subscriber gets first; 0 = none
	// HistoryWindow and HistoryPoints bound each (type, id)'s history, which a chart fills its time
	// window from (GET /api/v1/rowdata/history): the items received within the window, at most
	// HistoryPoints of them. HistoryPoints 0 keeps no more than the snapshot.
	HistoryWindow time.Duration `json:"historyWindow"`
	HistoryPoints int           `json:"historyPoints"`
	// Memory bounds the bytes of the row data kept (snapshots and history), shared fairly between
	// business types: a flood of new ids of one type never evicts another type's within its share.
	Memory int64 `json:"memory"`
	// Units names the unit of a row-data field (a key of an item's data), for charts: "voltage": "V".
	Units map[string]string `json:"units"`
	// SlowPolicy is what a dashboard's full send queue does: SlowCoalesce keeps the newest item
	// of each business, SlowDropOldest drops the oldest item.
	SlowPolicy string `json:"slowPolicy"`
}

// Slow-dashboard policies (rowdata.slowPolicy).
const (
	SlowCoalesce   = "coalesce"
	SlowDropOldest = "dropOldest"
)

// Overflow is the engine's rule for SlowPolicy.
func (r RowData) Overflow() hub.Overflow {
	if r.SlowPolicy == SlowDropOldest {
		return hub.DropOldest
	}
	return hub.Coalesce
}

// Alarm is the "alarm" section: retention of the durable store.
type Alarm struct {
	Retention     time.Duration `json:"retention"`     // cleared alarms and events older than this are purged
	PurgeInterval time.Duration `json:"purgeInterval"` // how often
}

// Config is everything Pulse reads besides GoFrame's own sections, plus the database node of
// GoFrame's database.default.
type Config struct {
	WS       WS             `json:"ws"`
	Ingest   Ingest         `json:"ingest"`
	Bus      Bus            `json:"bus"`
	RowData  RowData        `json:"rowdata"`
	Alarm    Alarm          `json:"alarm"`
	Auth     Auth           `json:"auth"`
	Log      Log            `json:"log"`
	Notify   notify.Config  `json:"notify"`
	Database gdb.ConfigNode `json:"-"` // database.default
	Redis    gredis.Config  `json:"-"` // redis.default, used when bus.type is redis
	// Connections is the most TCP connections the server holds, upgraded or not: the open-file
	// limit less a reserve for the database and the process's files, decided by Load. 0: no bound.
	Connections int `json:"-"`
}

// DefaultDatabaseLink is the embedded alarm store: SQLite (pure Go) in data/ under the working
// directory, in WAL mode.
const DefaultDatabaseLink = "sqlite::@file(data/pulse.db)?busy_timeout=5000&journal_mode=WAL"

// Default is the embedded configuration: what runs when a key is absent. The WebSocket limits and
// timers are the engine's own defaults (hub.DefaultOptions), with what the engine leaves off turned
// on for Pulse's server: a 2ms write delay batches a burst of publishes into one write, 20 frames/s
// is far above what a dashboard or console sends (a ping every few seconds, an ack now and then),
// and 20 snapshot items draw a chart's recent past at once; 900 points of history are 15 minutes of
// an item a second, the default window.
func Default() Config {
	engine := hub.DefaultOptions()
	return Config{
		WS: WS{
			AllowedOrigins: []string{},
			MaxMessageSize: engine.MaxMessageSize,
			PingInterval:   engine.PingInterval,
			PongTimeout:    engine.PongTimeout,
			WriteTimeout:   engine.WriteTimeout,
			SendQueue:      engine.SendQueue,
			WriteDelay:     2 * time.Millisecond,
			InboundRate:    20,
		},
		Ingest:   Ingest{MaxBodySize: 1 << 20, IdempotencyWindow: 24 * time.Hour, MQTT: DefaultMQTT(), NATS: DefaultNATS()},
		Bus:      Bus{Type: "memory", Channel: "pulse"},
		RowData:  RowData{SnapshotSize: 20, HistoryWindow: engine.HistoryWindow, HistoryPoints: 900, Memory: engine.SnapshotMemory, Units: map[string]string{}, SlowPolicy: SlowCoalesce},
		Alarm:    Alarm{Retention: 90 * 24 * time.Hour, PurgeInterval: time.Hour},
		Auth:     Auth{JWT: JWT{Leeway: 30 * time.Second}, UserRate: DefaultUserRate},
		Log:      Log{Format: LogText},
		Database: gdb.ConfigNode{Link: DefaultDatabaseLink},
		Notify:   notify.DefaultConfig(),
	}
}

// Report is what Load has to say besides the configuration, for the start log.
type Report struct {
	Warnings []string // keys Load ignored, e.g. a misspelt one
	Notes    []string // values decided at start: the connection limits
}

// Load reads Pulse's sections from GoFrame's configuration (manifest/config/config.yaml, or the
// file GF_GCFG_PATH and GF_GCFG_FILE name) over the defaults, refusing a value that does not parse
// or cannot work with a message naming its key. Without any file it runs on the defaults. It then
// decides what depends on the machine: the connection budget and ws.maxConnections from the
// open-file limit, and the SQLite file relative to the working directory.
func Load(ctx context.Context) (Config, Report, error) {
	cfg, report := Default(), Report{}
	if g.Cfg().Available(ctx) {
		if err := cfg.readFile(ctx, &report); err != nil {
			return cfg, report, err
		}
	}
	if err := cfg.Check(); err != nil {
		return cfg, report, err
	}
	if !cfg.Auth.Enabled {
		report.Warnings = append(report.Warnings, AuthOff)
	}
	limit, known := openFileLimit()
	budget, n, note, err := resolveConnections(cfg.WS.MaxConnections, limit, known)
	if err != nil {
		return cfg, report, err
	}
	cfg.Connections, cfg.WS.MaxConnections = budget, n
	report.Notes = append(report.Notes, note)
	wd, err := os.Getwd()
	if err != nil {
		return cfg, report, gerror.Wrap(err, "config: the working directory, which relative paths start from")
	}
	cfg.Database, _ = absSQLite(cfg.Database, wd) // the start log names the file (cmd: "alarm store")
	return cfg, report, nil
}

// readFile reads the configuration file's sections over c.
func (c *Config) readFile(ctx context.Context, report *Report) error {
	if err := c.readSections(ctx, report); err != nil {
		return err
	}
	db, err := g.Cfg().Get(ctx, "database.default")
	if err != nil {
		return gerror.Wrap(err, "reading config section \"database.default\"")
	}
	if list := db.Vars(); db.IsSlice() && len(list) > 0 {
		db = list[0] // a list of nodes: the first is the one Pulse uses
	}
	if !db.IsNil() {
		c.Database = gdb.ConfigNode{}
		if err := db.Scan(&c.Database); err != nil {
			return gerror.Wrap(err, "config section \"database.default\"")
		}
	}
	rd, err := g.Cfg().Get(ctx, "redis.default")
	if err != nil {
		return gerror.Wrap(err, "reading config section \"redis.default\"")
	}
	if !rd.IsNil() {
		r, err := gredis.ConfigFromMap(rd.Map())
		if err != nil {
			return gerror.Wrap(err, "config section \"redis.default\"")
		}
		c.Redis = *r
	}
	return nil
}

// Check reports the first value that cannot work.
func (c Config) Check() error {
	bad := func(key, why string) error {
		return gerror.NewCodef(consts.CodeInvalidInput, "config %s: %s", key, why)
	}
	switch {
	case c.WS.MaxMessageSize <= 0:
		return bad("ws.maxMessageSize", "must be positive")
	case c.WS.PingInterval <= 0 || c.WS.PongTimeout <= 0 || c.WS.WriteTimeout <= 0:
		return bad("ws.pingInterval/pongTimeout/writeTimeout", "must be positive durations such as \"25s\"")
	case c.WS.PongTimeout <= c.WS.PingInterval:
		return bad("ws.pongTimeout", "must be longer than ws.pingInterval, or healthy clients are dropped")
	case c.WS.WriteDelay < 0 || c.WS.WriteDelay > time.Second:
		return bad("ws.writeDelay", "must be between 0 and 1s")
	case c.WS.SendQueue <= 0:
		return bad("ws.sendQueue", "must be positive")
	case c.WS.InboundRate < 0:
		return bad("ws.inboundRate", "must be 0 (no limit) or a positive number of frames per second")
	case c.WS.MaxConnections < 0:
		return bad("ws.maxConnections", "must be 0 (automatic) or positive")
	case c.Ingest.MaxBodySize <= 0:
		return bad("ingest.maxBodySize", "must be positive")
	case c.Ingest.IdempotencyWindow <= 0:
		return bad("ingest.idempotencyWindow", "must be a positive duration such as \"24h\"")
	case c.Bus.Type != "memory" && c.Bus.Type != "redis":
		return bad("bus.type", "must be \"memory\" (one node) or \"redis\" (several nodes)")
	case c.Bus.Type == "redis" && c.Redis.Address == "":
		return bad("redis.default.address", "bus.type redis needs the Redis address, e.g. 127.0.0.1:6379")
	case c.Bus.Type == "redis" && c.Bus.Channel == "":
		return bad("bus.channel", "must name the Redis channel the nodes share")
	case c.Bus.Type == "redis" && isSQLite(c.Database):
		return bad("database.default.link", "bus.type redis needs an alarm store the nodes share (MySQL/MariaDB or PostgreSQL); SQLite is one node's file")
	case c.RowData.SnapshotSize < 0 || c.RowData.SnapshotSize > 1000:
		return bad("rowdata.snapshotSize", "must be between 0 (no snapshots) and 1000")
	case c.RowData.HistoryWindow <= 0:
		return bad("rowdata.historyWindow", "must be a positive duration such as \"15m\"")
	case c.RowData.HistoryPoints < 0:
		return bad("rowdata.historyPoints", "must be 0 (no more than the snapshot) or positive")
	case c.RowData.Memory <= 0:
		return bad("rowdata.memory", "must be a positive number of bytes")
	case c.RowData.SlowPolicy != SlowCoalesce && c.RowData.SlowPolicy != SlowDropOldest:
		return bad("rowdata.slowPolicy", "must be \"coalesce\" (keep the newest item of each business) or \"dropOldest\"")
	case c.Alarm.Retention < 0 || c.Alarm.PurgeInterval < 0:
		return bad("alarm.retention/purgeInterval", "must be durations such as \"720h\" (0 retention keeps everything)")
	case c.Auth.Enabled && c.Auth.JWT.HMACSecret == "" && len(c.Auth.JWT.PublicKeys) == 0 && c.Auth.JWT.JWKSURL == "":
		return bad("auth.jwt", "auth.enabled needs a key source in auth.jwt: hmacSecret, publicKeys or jwksUrl")
	case c.Auth.JWT.HMACSecret != "" && len(c.Auth.JWT.HMACSecret) < MinHMACSecret:
		return bad("auth.jwt.hmacSecret", fmt.Sprintf("is set but shorter than %d bytes", MinHMACSecret))
	case c.Auth.JWT.Leeway < 0:
		return bad("auth.jwt.leeway", "must not be negative")
	case c.Auth.UserRate < 0:
		return bad("auth.userRate", "must be 0 (no limit) or a positive number of requests per second")
	case c.Log.Format != LogText && c.Log.Format != LogJSON:
		return bad("log.format", "must be \"text\" or \"json\"")
	case c.Database.Link == "" && c.Database.Type == "":
		return bad("database.default.link", "must name the alarm store, e.g. "+DefaultDatabaseLink)
	}
	if err := CheckNotify(c.Notify); err != nil {
		return err
	}
	if err := checkMQTT(c.Ingest.MQTT); err != nil {
		return err
	}
	if err := checkNATS(c.Ingest.NATS); err != nil {
		return err
	}
	return refuseFootguns(c)
}

// isSQLite reports whether node is an SQLite database: a file of one machine.
func isSQLite(node gdb.ConfigNode) bool {
	return node.Type == "sqlite" || strings.HasPrefix(node.Link, "sqlite:")
}
