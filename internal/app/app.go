// Package app assembles Pulse from its configuration: the two managers, the bus, the ingest
// service and the GoFrame server with its routes.
package app

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gogf/gf/v2/os/gcache"

	"github.com/pulse-monitoring/pulse/internal/acklink"
	"github.com/pulse-monitoring/pulse/internal/brokerin"
	"github.com/pulse-monitoring/pulse/internal/buildinfo"
	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/connbudget"
	acklinkctl "github.com/pulse-monitoring/pulse/internal/controller/acklink"
	alarmctl "github.com/pulse-monitoring/pulse/internal/controller/alarm"
	"github.com/pulse-monitoring/pulse/internal/controller/console"
	"github.com/pulse-monitoring/pulse/internal/controller/health"
	"github.com/pulse-monitoring/pulse/internal/controller/ws"
	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/metrics"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/quiet"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	"github.com/pulse-monitoring/pulse/internal/silence"
	"github.com/pulse-monitoring/pulse/resource"
)

// App is one running Pulse node.
type App struct {
	Config  config.Config
	Server  *ghttp.Server
	RowData *hub.Manager // dashboards, routed by (businessType, businessId)
	Alarm   *hub.Manager // alarm consoles: every alarm to every console whose scope covers its business
	Ingest  *ingest.Service
	Alarms  *alarm.Service // the durable alarm store
	Door    *ws.Door
	Metrics *metrics.Metrics // GET /metrics
	// Connections counts the TCP connections of the sockets Listen opens against Config.Connections.
	Connections *connbudget.Budget
	// ConsoleBuilt: the binary embeds the console's build; without it "/" says how to build it.
	ConsoleBuilt bool
	// AckLinks makes and checks the links that acknowledge an alarm from a notification
	// (notify.publicUrl, notify.linkKeys, notify.ackLinkTTL); nil: links are off. Tests may set it
	// before Start.
	AckLinks *acklink.Links
	// Brokers are the broker sources the configuration turns on (ingest.mqtt, ingest.nats), in
	// brokers.go.
	Brokers []brokerin.Runner
	// Version is the API description's info.version (set it before Start); the binary's version by
	// default, the one /healthz and the start log report (buildinfo).
	Version string

	bus          bus.Bus
	apiDoc       apiDoc
	access       *access     // nil with auth off
	feed         *alarm.Feed // alarm events from the bus, in seq order, gaps filled from the store
	addresses    []string    // what Listen bound
	quiet        *quiet.Watcher
	compactedAt  int64         // activity() when releaseMemory last compacted (only its goroutine reads it)
	routes       *gcache.Cache // the router's cache of paths (nil if it could not be bounded)
	notify       *notifier     // nil without notify routes
	notifyOpts   notify.Options
	shutdownOnce sync.Once
	shutdownErr  error
}

// New builds a node: it opens the alarm store (creating its schema) and configures the GoFrame
// server named name without starting it.
func New(ctx context.Context, name string, cfg config.Config) (*App, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	access, err := newAccess(cfg.Auth)
	if err != nil {
		return nil, err
	}
	opts := hub.Options{
		MaxMessageSize: cfg.WS.MaxMessageSize,
		PingInterval:   cfg.WS.PingInterval,
		PongTimeout:    cfg.WS.PongTimeout,
		WriteTimeout:   cfg.WS.WriteTimeout,
		SendQueue:      cfg.WS.SendQueue,
		WriteDelay:     cfg.WS.WriteDelay,
		InboundRate:    cfg.WS.InboundRate,
	}
	rowOpts, alarmOpts := opts, opts
	rowOpts.Overflow, alarmOpts.Overflow = cfg.RowData.Overflow(), hub.CloseSlow
	rowOpts.SnapshotSize, rowOpts.SnapshotMemory = cfg.RowData.SnapshotSize, cfg.RowData.Memory
	rowOpts.HistoryPoints, rowOpts.HistoryWindow = cfg.RowData.HistoryPoints, cfg.RowData.HistoryWindow

	a := &App{
		Config:  cfg,
		Version: buildinfo.Current().Version,
		access:  access,
		RowData: hub.NewManager("rowdata", hub.NewBusinessIndex(), rowOpts),
		Alarm:   hub.NewManager("alarm", hub.NewEveryone(), alarmOpts),
		Metrics: metrics.New(),
	}
	a.Connections = connbudget.New(cfg.Connections)
	if a.AckLinks, err = ackLinksOf(cfg.Notify); err != nil {
		return nil, err
	}
	b, err := newBus(cfg)
	if err != nil {
		return nil, err
	}
	counted := bus.Count(b)
	a.bus = counted
	if a.notify, err = newNotifier(cfg.Notify); err != nil {
		_ = a.bus.Close()
		return nil, err
	}
	a.notifyOpts = defaultNotifyOptions(cfg.Notify)
	alarms, err := alarm.New(ctx, a.bus, alarm.Options{
		DB:            cfg.Database,
		Retention:     cfg.Alarm.Retention,
		PurgeInterval: cfg.Alarm.PurgeInterval,
		OnCommit:      a.Metrics.ObserveCommit,
		OnPurge:       a.Metrics.ObservePurge,

		IdempotencyWindow: cfg.Ingest.IdempotencyWindow,
		Notify:            a.notify.routerOrNil(),
		Notified:          a.notify.wakeOrNil(),
		SilenceLimits:     silence.Limits{Total: cfg.Notify.MaxSilences, PerCreator: cfg.Notify.MaxSilencesPerCreator},
	})
	if err != nil {
		_ = a.bus.Close()
		return nil, err
	}
	a.Alarms = alarms
	if a.notify != nil {
		a.notify.router.SetSilencer(alarms.Silencer()) // what a silence holds back, each commit plans without
	}
	if a.feed, err = alarms.Feed(ctx, a.Alarm); err != nil {
		_ = alarms.Close(ctx)
		_ = a.bus.Close()
		return nil, err
	}
	a.bus.Subscribe(a.deliver, a.feed.CatchUp)
	a.Ingest = ingest.New(a.bus, alarms, cfg.Ingest.IdempotencyWindow)
	if err := a.newBrokers(cfg); err != nil {
		a.feed.Close()
		_ = alarms.Close(ctx)
		_ = a.bus.Close()
		return nil, err
	}
	a.Door = ws.NewDoor(cfg.WS, a.RowData, a.Alarm)
	a.Door.AlarmReplay = alarms.Replay
	a.Alarm.Handle("ack", alarmctl.NewConsoleAck(alarms))
	a.Alarm.Handle("clear", alarmctl.NewConsoleClear(alarms))
	if access != nil {
		a.Door.Authorize = access.door.Authorize
		a.RowData.Handle("auth", access.door.Refresh("rowdata"))
		a.Alarm.Handle("auth", access.door.Refresh("alarm"))
	}
	a.Metrics.Watch(metrics.Sources{Managers: []*hub.Manager{a.RowData, a.Alarm}, Door: a.Door,
		Ingest: a.Ingest, Bus: counted, Alarms: alarms})
	a.Metrics.WatchConnections(a.Connections)
	a.Metrics.WatchNotices(a.Ingest, a.RowData, a.Alarm)
	a.Server = a.newServer(name)
	a.quiet = quiet.Start(quietInterval, a.activity, a.releaseMemory)
	return a, nil
}

func (a *App) newServer(name string) *ghttp.Server {
	s := g.Server(name)
	routes, err := boundRouteCache(s, routeCacheSize)
	if err != nil {
		g.Log().Warning(context.Background(), err) // the router still works; its cache is unbounded
	}
	a.routes = routes
	s.SetClientMaxBodySize(a.Config.Ingest.MaxBodySize)
	if g.Cfg().MustGet(context.Background(), "server.readTimeout").IsNil() {
		s.SetReadTimeout(defaultReadTimeout)
	}
	controllers := a.apiControllers()
	a.apiDoc.routes = handlerRequests(controllers...)
	a.describeAPI(s)
	s.BindStatusHandler(http.StatusNotFound, middleware.NotFound)
	s.BindStatusHandler(http.StatusInternalServerError, middleware.InternalError)
	// WebSocket handshakes bypass GoFrame's router (see package ws); everything else passes the
	// guard first, which keeps GoFrame's generic input parsing off what it has not checked.
	guard := middleware.NewGuard(s, middleware.GuardOptions{
		Prefix:         apiPrefix,
		Requests:       a.apiDoc.routes,
		MaxBodySize:    a.Config.Ingest.MaxBodySize,
		AllowedOrigins: a.Config.WS.AllowedOrigins,
		Authenticate:   a.access.authenticate(),
	})
	ackPage := &acklinkctl.Page{Links: func() *acklink.Links { return a.AckLinks }, Alarms: a.Alarms}
	serve := func(w http.ResponseWriter, r *http.Request) {
		if ws.Owns(r) {
			a.Door.ServeHTTP(w, r)
			return
		}
		if acklinkctl.Owns(r) { // outside the API and its credentials: the link is the capability
			ackPage.ServeHTTP(w, r)
			return
		}
		a.Metrics.ServeIngest(w, r, guard.ServeHTTP)
	}
	if a.Config.Log.Access {
		serve = middleware.AccessLog(serve)
	}
	s.SetHandler(func(w http.ResponseWriter, r *http.Request) {
		connbudget.Served(r) // its connection is no longer closed to make room for another
		serve(w, r)
	})
	c := newConsole()
	a.ConsoleBuilt = c.Built()
	page := func(r *ghttp.Request) { c.ServeHTTP(r.Response.BufferWriter, r.Request) }
	s.BindHandler("GET:/", page)
	s.BindHandler("GET:/assets/*file", page)
	s.BindHandler("GET:"+console.APIPage, page)
	s.BindHandler("GET:"+console.Favicon, page)
	s.BindHandler("GET:"+console.FaviconSVG, page)
	for _, f := range console.AppFiles {
		s.BindHandler("GET:"+f, page)
	}
	scrape := a.Metrics.Handler() // no credentials, like /healthz: the contract says so
	s.BindHandler("GET:/metrics", func(r *ghttp.Request) { scrape.ServeHTTP(r.Response.BufferWriter, r.Request) })
	s.Group("/", func(group *ghttp.RouterGroup) {
		group.Middleware(middleware.Response)
		group.Bind(a.watchBrokers(a.access.observe(health.NewV1(map[string]health.Check{"bus": a.bus.Ready, "database": a.Alarms.Ready}, a.RowData, a.Alarm), a.Metrics)))
	})
	s.Group(apiPrefix, func(group *ghttp.RouterGroup) {
		group.Middleware(middleware.Response)
		group.Bind(controllers...)
	})
	return s
}

// defaultReadTimeout is how long a client may take to send a request's headers and body (GoFrame's
// server.readTimeout, which Pulse lowers from 60s): a client trickling its headers holds a
// connection this long at most.
const defaultReadTimeout = 10 * time.Second

// newConsole is the embedded console (resource/public): its page at "/" and its files at
// "/assets/...".
func newConsole() *console.Console {
	public, err := fs.Sub(resource.Public, "public")
	if err != nil {
		panic(err) // "public" is a valid name: fs.Sub cannot fail on it
	}
	return console.New(public)
}

// deliver hands a bus event to the manager of its channel.
func (a *App) deliver(e bus.Event) {
	switch e.Channel {
	case bus.RowData:
		ts, _ := model.RowDataTs(e.Message) // 0 (now) for what ingest did not encode
		a.RowData.PublishAt(hub.Key{Type: e.BusinessType, ID: e.BusinessId}, hub.NewMessage(e.Message), ts)
	case bus.Alarm:
		a.feed.Offer(e) // the feed publishes it to a.Alarm in seq order
	case bus.Notice:
		a.deliverNotice(e)
	}
}

// newBus is the bus bus.type names.
func newBus(cfg config.Config) (bus.Bus, error) {
	if cfg.Bus.Type == "redis" {
		r := cfg.Redis
		return bus.NewRedis(&r, cfg.Bus.Channel)
	}
	return bus.NewMemory(), nil
}

// Start starts listening and makes this node the target of the in-process Go API.
func (a *App) Start() error {
	if err := a.Server.Start(); err != nil {
		return err
	}
	if err := a.apiDoc.complete(a.Server, a.Version); err != nil {
		_ = a.Server.Shutdown()
		return err
	}
	if err := a.startNotify(); err != nil {
		_ = a.Server.Shutdown()
		return err
	}
	ingest.SetDefault(a.Ingest)
	if err := a.startBrokers(); err != nil {
		a.stopNotify()
		_ = a.Server.Shutdown()
		return err
	}
	return nil
}

// Port is the port the server listens on.
func (a *App) Port() int { return a.Server.GetListenedPort() }

// Shutdown stops accepting, lets every connection flush its queue, closes each with 1001 and
// waits for them until ctx ends. Calling it again returns the first result.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() {
		// The sources first: what they are committing finishes (and is acknowledged) while the
		// store still writes; what they hold back stays with the broker.
		brokersErr := a.stopBrokers(ctx, a.Brokers)
		a.quiet.Stop()
		a.Door.Close()
		_ = a.Server.Shutdown()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, m := range []*hub.Manager{a.RowData, a.Alarm} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = m.Shutdown(ctx) }()
		}
		wg.Wait()
		// The store commits what was submitted (and rings the bus for it) before the bus closes.
		a.stopNotify()
		a.feed.Close()
		a.shutdownErr = errors.Join(append(errs, brokersErr, a.Alarms.Close(ctx), a.bus.Close())...)
	})
	return a.shutdownErr
}

// quietInterval is how long the node must publish and deliver nothing before it gives the memory
// its last load left behind back to the OS (package quiet); the alarm store lets its page cache go
// after the same time without a commit.
const quietInterval = 30 * time.Second

// activity counts the messages published and delivered by both managers: it stands still only
// when no row data, alarm or console action flows (pings do not count).
func (a *App) activity() int64 {
	var n int64
	for _, m := range []*hub.Manager{a.RowData, a.Alarm} {
		s := m.Stats()
		n += s.Published + s.Delivered
	}
	return n
}
