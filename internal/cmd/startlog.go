package cmd

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/buildinfo"
	"github.com/pulse-monitoring/pulse/internal/config"
)

// The start log says what this server is, one fact per line: the configuration's (logConfig, before
// the server listens) and where it serves (logServing). Nothing in it is a password, a secret or a
// key: the alarm store's and Redis' credentials are left out.

// logConfig logs the bus, the alarm store, identity and access, and the limits in force.
// The connection budget and ws.maxConnections have their line among the report's notes, which say
// where their numbers came from; auth off has its warning among the report's warnings.
func logConfig(ctx context.Context, cfg config.Config) {
	glog.Info(ctx, "bus: "+describeBus(cfg))
	glog.Info(ctx, "alarm store: "+describeStore(cfg.Database))
	if cfg.Auth.Enabled {
		glog.Info(ctx, "auth on: "+describeAuth(cfg.Auth))
	}
	glog.Info(ctx, "limits: "+describeLimits(cfg))
}

// logServing logs the build and the addresses the server actually listens on (and where the API
// description is: GoFrame's own line saying so is not logged, see Main).
func logServing(ctx context.Context, a *app.App) {
	line := fmt.Sprintf("%s serving on %s", buildinfo.Current(), strings.Join(a.Addresses(), ", "))
	if path := a.Server.GetOpenApiPath(); path != "" {
		line += ", API description at " + path
	}
	glog.Info(ctx, line)
	for _, b := range a.Brokers {
		glog.Info(ctx, "ingest from broker: "+b.Describe()+" (connecting in the background; /readyz shows its state)")
	}
}

func describeBus(cfg config.Config) string {
	if cfg.Bus.Type != "redis" {
		return "memory (this node only)"
	}
	addr := cfg.Redis.Address
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		addr = addr[i+1:] // a user and password before the host are not for the log
	}
	return fmt.Sprintf("redis %s db %d, channel %q", addr, cfg.Redis.Db, cfg.Bus.Channel)
}

// linkPattern is gdb's link form "type:user:pass@protocol(address)/name?params"; the password may
// hold '@', so the address is what follows the last "@protocol(".
var linkPattern = regexp.MustCompile(`^(\w+):(.*)@(\w+)\(([^)]*)\)/?([^?]*)`)

// describeStore names the alarm store's dialect and location, without its password or parameters
// (which may hold one too).
func describeStore(node gdb.ConfigNode) string {
	link := node.Link
	switch {
	case link == "" && node.Type == "sqlite": // the store given by fields rather than a link
		return "sqlite file " + node.Name
	case link == "":
		return fmt.Sprintf("%s %s:%s/%s, user %q", node.Type, node.Host, node.Port, node.Name, node.User)
	}
	if strings.HasPrefix(link, "sqlite:") {
		file := between(link, "@file(", ")")
		switch {
		case file == ":memory:":
			return "sqlite in memory (lost when the server stops)"
		case file != "":
			return "sqlite file " + file
		}
		return "sqlite"
	}
	m := linkPattern.FindStringSubmatch(link)
	if m == nil {
		dialect, _, _ := strings.Cut(link, ":")
		return dialect + " (a link Pulse cannot show without risking its password)"
	}
	user, _, _ := strings.Cut(m[2], ":")
	return fmt.Sprintf("%s %s(%s)/%s, user %q", m[1], m[3], m[4], m[5], user)
}

// between is what s holds between open and the next close, or "".
func between(s, open, close string) string {
	_, after, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	inside, _, ok := strings.Cut(after, close)
	if !ok {
		return ""
	}
	return inside
}

// describeAuth names the sources of the keys that verify tokens (the JWKS by its host) and
// counts the ingest keys.
func describeAuth(a config.Auth) string {
	var sources []string
	if a.JWT.HMACSecret != "" {
		sources = append(sources, "hmacSecret")
	}
	if n := len(a.JWT.PublicKeys); n > 0 {
		sources = append(sources, fmt.Sprintf("%d publicKeys", n))
	}
	if a.JWT.JWKSURL != "" {
		host := "?"
		if u, err := url.Parse(a.JWT.JWKSURL); err == nil {
			host = u.Host
		}
		sources = append(sources, "jwksUrl at "+host)
	}
	keys := fmt.Sprintf("%d ingest keys", len(a.IngestKeys))
	if len(a.IngestKeys) == 1 {
		keys = "1 ingest key"
	}
	return fmt.Sprintf("tokens verified with %s; %s", strings.Join(sources, ", "), keys)
}

func describeLimits(cfg config.Config) string {
	inbound := "no limit"
	if r := cfg.WS.InboundRate; r > 0 {
		inbound = fmt.Sprintf("%g frames/s (burst %g)", r, 2*r)
	}
	return fmt.Sprintf("ws.maxMessageSize %d bytes, ws.inboundRate %s, ws.sendQueue %d messages, ingest.maxBodySize %d bytes",
		cfg.WS.MaxMessageSize, inbound, cfg.WS.SendQueue, cfg.Ingest.MaxBodySize)
}
