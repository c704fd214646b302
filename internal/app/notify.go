package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// notifier is the node's part in notifications: the router the alarm store plans with, the
// outlets, and the dispatcher that sends what the outbox holds (from Start to Shutdown).
type notifier struct {
	router     *notify.Router
	outlets    map[string]notify.Outlet
	store      *notify.Store
	dispatcher atomic.Pointer[notify.Dispatcher]
	stop       context.CancelFunc
	done       chan struct{}
}

// newNotifier builds the outlets of cfg (refusing one that cannot work, naming it) and the router.
// Without routes it is nil: nothing is planned, nothing sent.
func newNotifier(cfg notify.Config) (*notifier, error) {
	if len(cfg.Outlets) == 0 && len(cfg.Routes) == 0 {
		return nil, nil
	}
	n := &notifier{outlets: map[string]notify.Outlet{}}
	for i, oc := range cfg.Outlets {
		o, err := notify.NewOutlet(oc)
		if err != nil {
			return nil, gerror.NewCodef(consts.CodeInvalidInput, "config notify.outlets[%d] (%s): %v", i, oc.Name, err)
		}
		n.outlets[oc.Name] = o
	}
	if err := config.CheckNotify(cfg); err != nil {
		return nil, err
	}
	n.router = notify.NewRouter(cfg, n.outlets, nil)
	return n, nil
}

// wake tells the dispatcher, once it runs, that a commit may have written to the outbox.
func (n *notifier) wake() {
	if d := n.dispatcher.Load(); d != nil {
		d.Wake()
	}
}

// NotifyOptions are the dispatcher's options before Start (tests shorten its timers).
func (a *App) NotifyOptions() *notify.Options { return &a.notifyOpts }

// Notifier is the running dispatcher (nil before Start, or without notify routes): the API tests
// outlets with it.
func (a *App) Notifier() *notify.Dispatcher {
	if a.notify == nil {
		return nil
	}
	return a.notify.dispatcher.Load()
}

// defaultNotifyOptions are the dispatcher's options from the notify section.
func defaultNotifyOptions(cfg notify.Config) notify.Options {
	return notify.Options{
		RetryFor:        cfg.RetryFor,
		OutletDownAfter: cfg.OutletDownAfter,
		Retention:       cfg.Retention,
		Lease:           cfg.Lease,
	}
}

// startNotify starts the dispatcher.
func (a *App) startNotify() error {
	if a.notify == nil {
		return nil
	}
	store, err := a.Alarms.NotifyStore()
	if err != nil {
		return err
	}
	a.notify.store = store
	opts := a.notifyOpts
	if opts.Node == "" {
		opts.Node = a.nodeName()
	}
	log := g.Log()
	if opts.Logf == nil {
		opts.Logf = func(format string, args ...any) { log.Warningf(context.Background(), format, args...) }
	}
	if opts.Alarm == nil {
		opts.Alarm = func(ctx context.Context, item model.AlarmBusinessData) error {
			_, err := a.Alarms.Raise(ctx, []model.AlarmBusinessData{item}, "pulse")
			return err
		}
	}
	d := notify.NewDispatcher(store, a.notify.router, a.notify.outlets, opts)
	rates := map[string]float64{}
	for _, o := range a.Config.Notify.Outlets {
		rates[o.Name] = o.Rate
	}
	d.SetRates(rates)
	if a.AckLinks != nil { // a nil *acklink.Links would be a Links that is not nil
		d.SetLinks(a.AckLinks)
	}
	a.Metrics.WatchNotify(d, a.notify.router)
	ctx, cancel := context.WithCancel(context.Background())
	a.notify.stop, a.notify.done = cancel, make(chan struct{})
	a.notify.dispatcher.Store(d)
	pusher, err := a.noticePusher(log)
	if err != nil {
		cancel()
		return err
	}
	go func() {
		defer close(a.notify.done)
		var wg sync.WaitGroup
		if pusher != nil {
			wg.Add(1)
			go func() { defer wg.Done(); pusher.Run(ctx) }()
		}
		d.Run(ctx)
		wg.Wait()
	}()
	return nil
}

// noticePusher sends accepted notices to their user's devices when an outlet is a push outlet
// (nil, and notices reach sockets only, when none is).
func (a *App) noticePusher(log *glog.Logger) (*notify.NoticePusher, error) {
	push := false
	for _, o := range a.notify.outlets {
		_, ok := o.(notify.PushOutlet)
		push = push || ok
	}
	if !push {
		return nil, nil
	}
	devices, err := a.Alarms.Devices()
	if err != nil {
		return nil, err
	}
	p := notify.NewNoticePusher(a.notify.router, a.notify.outlets, devices,
		func(format string, args ...any) { log.Warningf(context.Background(), format, args...) })
	a.Ingest.SetNoticeDevices(p)
	a.Metrics.WatchNoticePushes(p)
	return p, nil
}

// stopNotify stops the dispatcher and waits for the sends in flight (their rows stay leased until
// the lease runs out, or are given back).
func (a *App) stopNotify() {
	if a.notify == nil || a.notify.stop == nil {
		return
	}
	a.notify.stop()
	<-a.notify.done
}

// routerOrNil is the router, or a nil *notify.Router (notifications off) when n is nil.
func (n *notifier) routerOrNil() *notify.Router {
	if n == nil {
		return nil
	}
	return n.router
}

// outletsOrNil is n's outlets, or none when n is nil.
func (n *notifier) outletsOrNil() map[string]notify.Outlet {
	if n == nil {
		return nil
	}
	return n.outlets
}

// wakeOrNil is n.wake, or nil when n is nil.
func (n *notifier) wakeOrNil() func() {
	if n == nil {
		return nil
	}
	return n.wake
}

// nodeName names this node as the owner of the notifications it leases: its host and the
// addresses it listens on, the same after a restart (which takes back its leases at once: the
// process that held them is gone, as no two processes listen on one address).
func (a *App) nodeName() string {
	host, _ := os.Hostname()
	name := host + "|" + strings.Join(a.Addresses(), ",")
	if len(name) > 64 { // the column's width: a hash keeps it unique
		sum := sha256.Sum256([]byte(name))
		name = name[:40] + "|" + hex.EncodeToString(sum[:])[:23]
	}
	return name
}
