package notify_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

// sendNotice posts body as a notice to user, as a token that may send notices about anything.
func (p pushNode) sendNotice(user, body string) {
	p.T.Helper()
	sender := pulsenode.Bearer(pulsenode.Token(p.T, "dispatcher", pulsenode.Grants{Alarms: []string{"*"}, Ack: true}))
	status, env, _ := p.Call(http.MethodPost, "/api/v1/users/"+user+"/notices", sender, body)
	if status != http.StatusOK || string(env.Data) != "{}" {
		p.T.Fatalf("notice to %s: %d %s %s", user, status, env.Message, env.Data)
	}
}

// fcmTo are the FCM pushes to token.
func (p pushNode) fcmTo(token string) []pushsvc.FCMPush {
	var out []pushsvc.FCMPush
	for _, m := range p.fcm.Pushes() {
		if m.Token == token {
			out = append(out, m)
		}
	}
	return out
}

// TestNoticeToDevices: a notice to alice reaches her registered devices whose filter selects it
// (the payload says event "notice", its title, business and the alarm its data names), not the
// one whose levels exclude it; a notice to bob, who has no device, pushes nothing; a notice of a
// level no route with a push outlet matches pushes nothing; a device its push service says is gone
// is removed.
func TestNoticeToDevices(t *testing.T) {
	p := startPush(t, "", func(c *config.Config) {
		c.Notify.Routes = []notify.Route{
			{Name: "phones", Match: notify.Match{Levels: []string{"critical", "major", "info"}}, To: []string{"android", "ios"}},
		}
	})
	alice := user(t, "alice", "meter/*")
	aliceFCM := p.mustRegister(alice, `{"platform":"fcm","token":"fcm-alice"}`)
	aliceIOS := p.mustRegister(alice, `{"platform":"apns","token":"`+pushsvc.DeviceToken(1)+`","levels":["critical"]}`)

	p.sendNotice("alice", `{"title":"Alarm a-17 is yours","content":"carol assigned it to you","level":"info",`+
		`"data":{"kind":"assign","alarmId":"a-17"},"businessType":"meter","businessId":"m-1"}`)
	poll.Eventually(t, func() bool { return len(p.fcmTo("fcm-alice")) > 0 }, "alice's phone never received the notice")
	m := p.fcmTo("fcm-alice")[0]
	if m.Data["event"] != "notice" || m.Data["title"] != "Alarm a-17 is yours" || m.Data["level"] != "info" ||
		m.Data["businessType"] != "meter" || m.Data["businessId"] != "m-1" || m.Data["alarmId"] != "a-17" || m.Data["ackUrl"] != "" {
		t.Errorf("the notice's push: %+v", m)
	}

	p.sendNotice("bob", `{"title":"for bob","level":"critical","businessType":"meter","businessId":"m-1"}`)
	p.sendNotice("alice", `{"title":"minor, no route","level":"minor","businessType":"meter","businessId":"m-1"}`)
	p.sendNotice("alice", `{"title":"Feeder down","level":"critical","businessType":"meter","businessId":"m-2"}`)
	poll.Eventually(t, func() bool { return len(p.apns.Pushes()) > 0 && len(p.fcmTo("fcm-alice")) > 1 },
		"alice's devices never received the critical notice: fcm %d, apns %d", len(p.fcmTo("fcm-alice")), len(p.apns.Pushes()))
	p.Moved("pulse_notice_pushes_total", 3, "result=sent")
	var titles []string
	for _, m := range p.fcm.Pushes() {
		titles = append(titles, m.Token+":"+m.Data["title"])
	}
	if want := []string{"fcm-alice:Alarm a-17 is yours", "fcm-alice:Feeder down"}; !slices.Equal(titles, want) {
		t.Errorf("fcm received %v, want %v (bob has no device, no route takes minor)", titles, want)
	}
	ios := p.apns.Pushes()
	if len(ios) != 1 {
		t.Errorf("apns received %d pushes, want the critical notice only: the phone's levels exclude info", len(ios))
	} else if ios[0].Payload["event"] != "notice" || ios[0].Payload["level"] != "critical" || ios[0].Payload["alarmId"] != "" {
		t.Errorf("apns push of the critical notice: %s", ios[0].Raw)
	}
	if got, _ := p.Scrape().Find("pulse_notice_pushes_total", "result=sent"); got != 3 {
		t.Errorf("pulse_notice_pushes_total{result=sent} = %v, want 3", got)
	}
	// Two notices of one business must not replace each other on the phone.
	if a, b := p.fcmTo("fcm-alice")[0].Collapse, p.fcmTo("fcm-alice")[1].Collapse; a == b || a == "" {
		t.Errorf("two notices share the collapse key %q", a)
	}

	p.fcm.Kill("fcm-alice")
	p.sendNotice("alice", `{"title":"after the uninstall","level":"major","businessType":"meter","businessId":"m-1"}`)
	poll.Eventually(t, func() bool { return !slices.Contains(p.devices(alice), aliceFCM) },
		"the device FCM says is unregistered is still registered: %v", p.devices(alice))
	if got := p.devices(alice); !slices.Equal(got, []string{aliceIOS}) {
		t.Errorf("alice's devices after the gone one: %v, want %v", got, []string{aliceIOS})
	}
}

// TestWebPushNotice: with auth off (devices belong to "anonymous"), a notice to anonymous reaches
// a registered browser through a push service that verifies VAPID and decrypts: the contract's
// payload with event "notice", no ackUrl, no Topic shared with another notice; a notice to another user does not.
func TestWebPushNotice(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	edit, _ := withWebPush(true)
	n := pulsenode.StartWith(t, edit, pulsenode.FastNotify)
	b := svc.NewBrowser()
	if status, env := n.Post("/api/v1/devices", map[string]any{"platform": "webpush", "subscription": svc.Subscription(b)}); status != http.StatusOK {
		t.Fatalf("register: %d %+v", status, env)
	}
	for _, user := range []string{"bob", "anonymous"} {
		if status, env, _ := n.Call(http.MethodPost, "/api/v1/users/"+user+"/notices", nil,
			`{"title":"to `+user+`","level":"major","businessType":"meter","businessId":"m-1"}`); status != http.StatusOK {
			t.Fatalf("notice to %s: %d %s", user, status, env.Message)
		}
	}
	poll.Eventually(t, func() bool { return len(svc.Messages()) >= 1 }, "nothing was pushed")
	p := pushed(t, svc, 0)
	if p.Event != "notice" || p.Title != "to anonymous" || p.Level != "major" || p.BusinessType != "meter" ||
		p.BusinessID != "m-1" || p.AlarmID != "" || p.Seq != 0 || p.AckURL != "" {
		t.Errorf("payload %+v", p)
	}
	if topic := svc.Messages()[0].Header.Get("Topic"); topic == notify.CollapseID("meter", "m-1", "") {
		t.Errorf("Topic %q: a notice's pushes must not replace another notice's of its business", topic)
	}
	n.Moved("pulse_notice_pushes_total", 1, "result=sent")
	if got := len(svc.Messages()); got != 1 {
		t.Errorf("the push service received %d messages, want the one to anonymous", got)
	}
}
