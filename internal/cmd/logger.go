package cmd

import (
	"context"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/glog"
	"github.com/redis/go-redis/v9"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// useOneLogger makes the logger the `logger` section configures (g.Log(): its level, stdout,
// path) the one every line goes through: glog's package functions, which Pulse's start, shutdown,
// guard and access log call, write to it from here on, so `logger.level: error` silences their
// INFO and WARN lines too. log.format json gives every logger without a handler of its own,
// GoFrame's too, the JSON handler.
func useOneLogger(cfg config.Config) {
	if cfg.Log.Format == config.LogJSON {
		glog.SetDefaultHandler(glog.HandlerJson)
	}
	glog.SetDefaultLogger(g.Log())
	redis.SetLogger(redisLog{}) // its own lines ("discarding bad PubSub connection") went to stderr
}

// redisLog writes the Redis client's lines as warnings: it logs only what went wrong.
type redisLog struct{}

func (redisLog) Printf(ctx context.Context, format string, v ...any) {
	glog.Warningf(ctx, "redis: "+format, v...)
}

// serverLogger is that logger for GoFrame's HTTP server, less INFO: the server's own start lines
// ("http server started listening on [:8000]", where /api.json is) would repeat logServing's with
// less. Its warnings and errors keep the configured level.
func serverLogger() *glog.Logger {
	l := g.Log().Clone()
	l.SetLevel(l.GetLevel() &^ glog.LEVEL_INFO)
	return l
}
