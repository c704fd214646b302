package notify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// KindNotice is the kind (a push payload's event) of a notice to one user sent to their devices.
const KindNotice = "notice"

// Notice pushes are best effort: a notice is not stored (the sockets get it live), so the pusher
// keeps a bounded queue, sends each push once, and once more after a retryable failure.
const (
	noticeQueueLen     = 1024
	noticeWorkers      = 2
	noticeSendTimeout  = 30 * time.Second
	noticeRetryMax     = 5 * time.Second // a longer Retry-After is not waited for: the notice is dropped
	noticeDropLogEvery = time.Minute
)

// NoticePushCounts are the device pushes of notices so far.
type NoticePushCounts struct {
	Sent    int64 // pushes the push service took
	Failed  int64 // pushes it refused, or that failed twice
	Dropped int64 // notices not pushed at all: the queue was full
}

// NoticePusher sends notices to the registered devices of their user, through the push outlets
// the routes that select the notice's business and level name in their to (escalation steps do
// not count). A device receives it when it would receive an alarm of that business and level
// (device.Selects). PushNotice never blocks; Run sends.
type NoticePusher struct {
	router  *Router
	outlets map[string]Outlet
	devices *device.Store
	logf    func(format string, args ...any)
	queue   chan noticeJob

	sent, failed, dropped atomic.Int64
	lastDropLog           atomic.Int64 // unix ms
}

type noticeJob struct {
	user    string
	n       *model.NoticeData
	at      time.Time
	outlets map[string]PushOutlet // the routes' push outlets for it (outletsOf), found once
}

// NewNoticePusher makes the pusher of router's routes to outlets' push outlets, reading devices.
func NewNoticePusher(router *Router, outlets map[string]Outlet, devices *device.Store, logf func(format string, args ...any)) *NoticePusher {
	return &NoticePusher{router: router, outlets: outlets, devices: devices, logf: logf, queue: make(chan noticeJob, noticeQueueLen)}
}

// Counts returns the pushes so far.
func (p *NoticePusher) Counts() NoticePushCounts {
	return NoticePushCounts{Sent: p.sent.Load(), Failed: p.failed.Load(), Dropped: p.dropped.Load()}
}

// PushNotice queues n for user's devices, or drops it (counted, logged at most once a minute)
// when the queue is full: the HTTP answer never waits for a push service.
func (p *NoticePusher) PushNotice(_ context.Context, user string, n *model.NoticeData) {
	if n == nil || n.Notice == nil {
		return
	}
	outlets := p.outletsOf(n.Notice)
	if len(outlets) == 0 {
		return
	}
	select {
	case p.queue <- noticeJob{user: user, n: n, at: time.Now(), outlets: outlets}:
	default:
		p.dropped.Add(1)
		now := time.Now().UnixMilli()
		last := p.lastDropLog.Load()
		if now-last >= noticeDropLogEvery.Milliseconds() && p.lastDropLog.CompareAndSwap(last, now) {
			p.logf("notify: the notice push queue is full (%d): notices to devices are dropped (%d so far); the sockets still get them", noticeQueueLen, p.dropped.Load())
		}
	}
}

// Run sends what is queued until ctx ends (what is still queued then is not sent).
func (p *NoticePusher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range noticeWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-p.queue:
					p.push(ctx, j)
				}
			}
		}()
	}
	wg.Wait()
}

// asAlarm is the notice as routes and devices select it: its business and level.
func asAlarm(n *model.Notice) *model.Alarm {
	return &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: n.BusinessType, BusinessId: n.BusinessId, Level: n.Level, Title: n.Title}}
}

// outletsOf are the push outlets the matching routes name in their to, by name.
func (p *NoticePusher) outletsOf(n *model.Notice) map[string]PushOutlet {
	out := map[string]PushOutlet{}
	for _, c := range p.router.routesOf(asAlarm(n)) {
		for _, name := range c.To {
			if o, ok := p.outlets[name].(PushOutlet); ok {
				out[name] = o
			}
		}
	}
	return out
}

// push sends one notice to each selecting device of its user on each outlet.
func (p *NoticePusher) push(ctx context.Context, j noticeJob) {
	a := asAlarm(j.n.Notice)
	a.AlarmId = noticeAlarmID(j.n.Notice.Data)
	note := Notification{ID: noticeID(), Kind: KindNotice, Alarms: []Alarm{{Alarm: *a}}, Timestamp: j.at}
	for name, o := range j.outlets {
		devices, err := p.devices.Cached(ctx, p.router.deviceCache(), o.Platform(), time.Now().UnixMilli())
		if err != nil {
			p.failed.Add(1)
			p.logf("notify: a notice to %s through %s: reading the devices: %v", j.user, name, err)
			continue
		}
		for _, d := range devices {
			if d.Owner == j.user && d.Selects(a) {
				p.send(ctx, name, o, d, note)
			}
		}
	}
}

// send pushes n to d, once more after a retryable failure; a device its push service says is
// gone is removed, as for alarms.
func (p *NoticePusher) send(ctx context.Context, outlet string, o PushOutlet, d *device.Device, n Notification) {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		sctx, cancel := context.WithTimeout(ctx, noticeSendTimeout)
		err = o.SendDevice(sctx, d, n)
		cancel()
		var se *SendError
		if err == nil || ctx.Err() != nil || (errors.As(err, &se) && (se.Permanent || se.Gone || se.RetryAfter > noticeRetryMax)) {
			break
		}
		wait := time.Second
		if se != nil && se.RetryAfter > 0 {
			wait = se.RetryAfter
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	if err == nil {
		p.sent.Add(1)
		return
	}
	p.failed.Add(1)
	var se *SendError
	if errors.As(err, &se) && se.Gone {
		if err := p.devices.Remove(context.WithoutCancel(ctx), d.ID); err != nil {
			p.logf("notify: removing device %s, which its push service says is gone: %v", d.ID, err)
		}
		return
	}
	p.logf("notify: a notice to device %s through %s: %v", d.ID, outlet, CutError(err))
}

// noticeAlarmID is the alarm a notice is about, when its data names one ({"alarmId": "..."},
// as the console's assign sends), or "".
func noticeAlarmID(data json.RawMessage) string {
	var d struct {
		AlarmID string `json:"alarmId"`
	}
	if len(data) == 0 || json.Unmarshal(data, &d) != nil {
		return ""
	}
	return d.AlarmID
}

// noticeID is a random id per notice: its pushes do not collapse with another's.
func noticeID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "ntc_" + base64.RawURLEncoding.EncodeToString(b[:])
}
