package notify_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

// TestNoticePushQueueDropsWhenFull: PushNotice never waits for a push service: with nobody
// sending (Run not started), the 1024 notices that fit are queued and the ones after are dropped,
// counted, and logged once, not once each; a notice no route with a push outlet takes is not
// queued at all.
func TestNoticePushQueueDropsWhenFull(t *testing.T) {
	f := pushsvc.NewFCM(t)
	cfg := notify.DefaultConfig()
	cfg.Outlets = []notify.OutletConfig{{Name: "android", Type: "fcm", CredentialsFile: f.CredentialsFile, Endpoint: f.Srv.URL}}
	cfg.Routes = []notify.Route{{Name: "phones", Match: notify.Match{Levels: []string{"critical"}}, To: []string{"android"}}}
	outlets := map[string]notify.Outlet{"android": pushOutlet(t, cfg.Outlets[0])}
	var logged atomic.Int64
	p := notify.NewNoticePusher(notify.NewRouter(cfg, outlets, nil), outlets, nil, func(string, ...any) { logged.Add(1) })

	critical := &model.NoticeData{User: "alice", Notice: &model.Notice{Title: "t", Level: "critical", BusinessType: "meter", BusinessId: "m-1"}}
	info := &model.NoticeData{User: "alice", Notice: &model.Notice{Title: "t", Level: "info", BusinessType: "meter", BusinessId: "m-1"}}
	for range 1024 + 7 {
		p.PushNotice(context.Background(), "alice", critical)
		p.PushNotice(context.Background(), "alice", info)
	}
	if got := p.Counts(); got.Dropped != 7 || got.Sent != 0 || got.Failed != 0 {
		t.Errorf("counts after 1031 critical notices into a queue of 1024: %+v, want 7 dropped", got)
	}
	if logged.Load() != 1 {
		t.Errorf("7 drops logged %d times, want once", logged.Load())
	}
	if len(f.Pushes()) != 0 {
		t.Errorf("pushes sent without Run: %d", len(f.Pushes()))
	}
}
