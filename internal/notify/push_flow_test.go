package notify_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

// pushNode is a node with auth on and two push outlets, "android" (fcm) and "ios" (apns), to
// local stand-ins of FCM and APNs, and one route "phones" to both.
type pushNode struct {
	*pulsenode.Node
	fcm  *pushsvc.FCM
	apns *pushsvc.APNs
}

func startPush(t testing.TB, link string, edit func(*config.Config)) pushNode {
	t.Helper()
	return startPushWith(t, pushsvc.NewFCM(t), pushsvc.NewAPNs(t), link, edit)
}

// startPushWith is startPush to the given stand-ins (several nodes of a cluster share them).
func startPushWith(t testing.TB, f *pushsvc.FCM, a *pushsvc.APNs, link string, edit func(*config.Config)) pushNode {
	t.Helper()
	n := pulsenode.StartWith(t, func(c *config.Config) {
		pulsenode.WithAuth(t)(c)
		c.Auth.UserRate = 0 // tests poll the API faster than a person
		c.Notify = notify.DefaultConfig()
		c.Notify.Outlets = []notify.OutletConfig{
			{Name: "android", Type: "fcm", CredentialsFile: f.CredentialsFile, Endpoint: f.Srv.URL},
			{Name: "ios", Type: "apns", KeyFile: a.KeyFile, KeyID: a.KeyID, TeamID: a.TeamID, Topic: a.Topic,
				Endpoint: a.Srv.URL, CAFile: a.CAFile},
		}
		c.Notify.Routes = []notify.Route{{Name: "phones", To: []string{"android", "ios"}}}
		if link != "" {
			c.Database = gdb.ConfigNode{Link: link}
		}
		if edit != nil {
			edit(c)
		}
	}, pulsenode.FastNotify)
	n.Credentials = true
	return pushNode{Node: n, fcm: f, apns: a}
}

// user is a token of sub that sees the alarms of patterns.
func user(t testing.TB, sub string, patterns ...string) http.Header {
	return pulsenode.Bearer(pulsenode.Token(t, sub, pulsenode.Grants{Alarms: patterns}))
}

// register posts a device registration and returns the status and the id (or the message).
func (p pushNode) register(as http.Header, body string) (int, string) {
	p.T.Helper()
	status, env, _ := p.Call(http.MethodPost, "/api/v1/devices", as, body)
	if status != http.StatusOK {
		return status, env.Message
	}
	var res struct{ Id string }
	if err := json.Unmarshal(env.Data, &res); err != nil || !strings.HasPrefix(res.Id, "dev_") {
		p.T.Fatalf("register: %s (%v)", env.Data, err)
	}
	return status, res.Id
}

func (p pushNode) mustRegister(as http.Header, body string) string {
	p.T.Helper()
	status, id := p.register(as, body)
	if status != http.StatusOK {
		p.T.Fatalf("register %s: %d %s", body, status, id)
	}
	return id
}

// devices are the ids of the caller's devices.
func (p pushNode) devices(as http.Header) []string {
	p.T.Helper()
	status, env, _ := p.Call(http.MethodGet, "/api/v1/devices", as, "")
	if status != http.StatusOK {
		p.T.Fatalf("list devices: %d %s", status, env.Message)
	}
	var res struct{ Items []struct{ Id string } }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		p.T.Fatal(err)
	}
	var out []string
	for _, d := range res.Items {
		out = append(out, d.Id)
	}
	return out
}

// sentTo waits until every notification of the alarm to the push outlets has an outcome (a
// record sent or failed; none left retrying), and returns "outlet:target:status" of each, sorted.
// The devices were chosen when the alarm was committed, so this is who it went to.
func (p pushNode) sentTo(typ, id, alarmID string, want int) []string {
	p.T.Helper()
	var got []string
	poll.Eventually(p.T, func() bool {
		got = got[:0]
		for _, r := range p.Deliveries(typ, id, alarmID) {
			if r.Status == notify.StatusSent || r.Status == notify.StatusFailed {
				got = append(got, r.Outlet+":"+r.Target+":"+r.Status)
			}
		}
		return len(got) >= want
	}, "deliveries of %s/%s/%s: %v, want %d", typ, id, alarmID, got, want)
	sort.Strings(got)
	return got
}

// collapseID is the contract's collapse id, computed here on its own.
func collapseID(typ, id, alarmID string) string {
	sum := sha256.Sum256([]byte(typ + "/" + id + "/" + alarmID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// TestPushToRegisteredDevices: devices registered through the API receive, from a local FCM and
// APNs that enforce their protocols, exactly the alarms their owner's token covers and their
// filter selects: the payload names the alarm, critical alarms go at high priority (APNs 10 and
// time-sensitive), one collapse id per alarm. Another business's device receives nothing.
// SQLite, MariaDB and PostgreSQL.
func TestPushToRegisteredDevices(t *testing.T) {
	eachLink(t, "pulse_push_flow", func(t *testing.T, link string) {
		p := startPush(t, link, nil)
		alice, bob, carol := user(t, "alice", "meter/*"), user(t, "bob", "pump/*"), user(t, "carol", "*")
		aliceFCM := p.mustRegister(alice, `{"platform":"fcm","token":"fcm-alice","businesses":["meter/m-1"]}`)
		aliceIOS := p.mustRegister(alice, `{"platform":"apns","token":"`+pushsvc.DeviceToken(1)+`"}`)
		bobFCM := p.mustRegister(bob, `{"platform":"fcm","token":"fcm-bob"}`)
		carolIOS := p.mustRegister(carol, `{"platform":"apns","token":"`+pushsvc.DeviceToken(2)+`","levels":["critical"]}`)
		if status, msg := p.register(alice, `{"platform":"fcm","token":"fcm-alice-2","businesses":["pump/*"]}`); status != http.StatusForbidden {
			t.Fatalf("a filter beyond the token's patterns: %d %s, want 403", status, msg)
		}

		p.Raise(`{"items":[{"alarmId":"a1","businessType":"meter","businessId":"m-1","level":"critical","title":"Over-voltage"}]}`)
		got := p.sentTo("meter", "m-1", "a1", 3)
		want := []string{"android:" + aliceFCM + ":sent", "ios:" + aliceIOS + ":sent", "ios:" + carolIOS + ":sent"}
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("a1 (meter/m-1 critical) went to %v, want %v", got, want)
		}
		p.Raise(`{"items":[{"alarmId":"a2","businessType":"meter","businessId":"m-2","level":"minor","title":"Drift"}]}`)
		if got := p.sentTo("meter", "m-2", "a2", 1); !slices.Equal(got, []string{"ios:" + aliceIOS + ":sent"}) {
			t.Errorf("a2 (meter/m-2 minor) went to %v, want alice's phone only", got)
		}
		p.Raise(`{"items":[{"alarmId":"a3","businessType":"pump","businessId":"p-1","level":"major","title":"Dry run"}]}`)
		if got := p.sentTo("pump", "p-1", "a3", 1); !slices.Equal(got, []string{"android:" + bobFCM + ":sent"}) {
			t.Errorf("a3 (pump/p-1) went to %v, want bob's phone only", got)
		}

		// What the push services received.
		byToken := map[string][]pushsvc.FCMPush{}
		for _, m := range p.fcm.Pushes() {
			byToken[m.Token] = append(byToken[m.Token], m)
		}
		if len(byToken["fcm-alice"]) != 1 || len(byToken["fcm-bob"]) != 1 || len(byToken) != 2 {
			t.Fatalf("fcm received %+v", byToken)
		}
		a1 := byToken["fcm-alice"][0]
		if a1.Data["alarmId"] != "a1" || a1.Data["level"] != "critical" || a1.Data["title"] != "Over-voltage" ||
			a1.Data["businessType"] != "meter" || a1.Data["businessId"] != "m-1" || a1.Data["event"] != "raised" ||
			a1.Data["seq"] == "" || a1.Priority != "high" || a1.Collapse != collapseID("meter", "m-1", "a1") {
			t.Errorf("fcm push of a1: %+v", a1)
		}
		if b := byToken["fcm-bob"][0]; b.Priority != "normal" || b.Data["alarmId"] != "a3" {
			t.Errorf("fcm push of a3 (major): %+v", b)
		}
		ios := map[string][]pushsvc.APNsPush{}
		for _, m := range p.apns.Pushes() {
			ios[m.Token+":"+fmt.Sprint(m.Payload["alarmId"])] = append(ios[m.Token+":"+fmt.Sprint(m.Payload["alarmId"])], m)
		}
		if len(ios) != 3 || len(ios[pushsvc.DeviceToken(1)+":a1"]) != 1 || len(ios[pushsvc.DeviceToken(2)+":a1"]) != 1 ||
			len(ios[pushsvc.DeviceToken(1)+":a2"]) != 1 {
			t.Fatalf("apns received %v", keys(ios))
		}
		crit, minor := ios[pushsvc.DeviceToken(1)+":a1"][0], ios[pushsvc.DeviceToken(1)+":a2"][0]
		aps, _ := crit.Payload["aps"].(map[string]any)
		alert, _ := aps["alert"].(map[string]any)
		if crit.Header.Get("apns-priority") != "10" || aps["interruption-level"] != "time-sensitive" ||
			crit.Header.Get("apns-collapse-id") != collapseID("meter", "m-1", "a1") || crit.Header.Get("apns-push-type") != "alert" ||
			alert["title"] != "Over-voltage" || crit.Payload["level"] != "critical" || crit.Payload["event"] != "raised" ||
			crit.Payload["businessId"] != "m-1" || crit.Payload["seq"] == nil {
			t.Errorf("apns push of a1: %v %s", crit.Header, crit.Raw)
		}
		minorAps, _ := minor.Payload["aps"].(map[string]any)
		if minor.Header.Get("apns-priority") != "5" || minorAps["interruption-level"] != nil {
			t.Errorf("apns push of a2 (minor): %v %s", minor.Header, minor.Raw)
		}
		if r := append(p.fcm.Refused(), p.apns.Refused()...); len(r) > 0 {
			t.Errorf("the push services refused requests: %v", r)
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestPushDeadTokenRemoved: a token FCM answers UNREGISTERED and one APNs answers 410
// Unregistered are removed from their owner's devices at once; the outlets are not disabled: the
// next alarm reaches the devices still registered.
func TestPushDeadTokenRemoved(t *testing.T) {
	p := startPush(t, "", nil)
	alice := user(t, "alice", "*")
	deadFCM := p.mustRegister(alice, `{"platform":"fcm","token":"fcm-dead"}`)
	liveFCM := p.mustRegister(alice, `{"platform":"fcm","token":"fcm-live"}`)
	deadIOS := p.mustRegister(alice, `{"platform":"apns","token":"`+pushsvc.DeviceToken(7)+`"}`)
	p.fcm.Kill("fcm-dead")
	p.apns.Kill(pushsvc.DeviceToken(7))
	p.Raise(`{"items":[{"alarmId":"d1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	got := p.sentTo("meter", "m-1", "d1", 3)
	want := []string{"android:" + deadFCM + ":failed", "android:" + liveFCM + ":sent", "ios:" + deadIOS + ":failed"}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("d1 deliveries %v, want %v", got, want)
	}
	poll.Eventually(t, func() bool { return slices.Equal(p.devices(alice), []string{liveFCM}) },
		"alice's devices after two dead tokens: %v", p.devices(alice))
	p.Raise(`{"items":[{"alarmId":"d2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
	if got := p.sentTo("meter", "m-1", "d2", 1); !slices.Equal(got, []string{"android:" + liveFCM + ":sent"}) {
		t.Fatalf("d2 deliveries %v", got)
	}
}

// TestPushCluster: two nodes share the database (MariaDB, PostgreSQL) and the bus. A device
// registered on one receives the alarms raised on the other, from then on (each node's copy of the
// devices follows pulse_device_gen), and once deleted on the second is not notified by the first.
func TestPushCluster(t *testing.T) {
	testsvc.RequireRedis(t)
	testsvc.EachDatabase(t, "pulse_push_cluster", func(t *testing.T, link string) {
		f, a := pushsvc.NewFCM(t), pushsvc.NewAPNs(t)
		channel := pulsenode.Channel()
		cluster := func(c *config.Config) { pulsenode.ClusterConfig(testsvc.RedisAddr, link, channel)(c) }
		one, two := startPushWith(t, f, a, "", cluster), startPushWith(t, f, a, "", cluster)
		alice := user(t, "alice", "*")
		// Node two commits an alarm first: its copy of the devices (none) is made.
		two.Raise(`{"items":[{"alarmId":"c0","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		id := one.mustRegister(alice, `{"platform":"fcm","token":"fcm-cluster"}`)
		two.Raise(`{"items":[{"alarmId":"c1","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		if got := two.sentTo("meter", "m-1", "c1", 1); !slices.Equal(got, []string{"android:" + id + ":sent"}) {
			t.Fatalf("c1 raised on node two went to %v", got)
		}
		if status, env, _ := two.Call(http.MethodDelete, "/api/v1/devices/"+id, alice, ""); status != http.StatusOK {
			t.Fatalf("delete on node two: %d %s", status, env.Message)
		}
		bob := one.mustRegister(user(t, "bob", "*"), `{"platform":"fcm","token":"fcm-bob"}`)
		one.Raise(`{"items":[{"alarmId":"c2","businessType":"meter","businessId":"m-1","level":"major","title":"t"}]}`)
		// Both rows would be planned in c2's commit: bob's delivered, a row to the deleted device
		// would have failed ("no longer registered") beside it.
		if got := one.sentTo("meter", "m-1", "c2", 1); !slices.Equal(got, []string{"android:" + bob + ":sent"}) {
			t.Fatalf("c2 raised on node one after the delete on node two went to %v", got)
		}
		for _, m := range f.Pushes() {
			if m.Token == "fcm-cluster" && m.Data["alarmId"] != "c1" {
				t.Fatalf("pushed %s to the device of the cluster test", m.Data["alarmId"])
			}
		}
	})
}

// TestDeviceRegistrationRules: the same token again keeps its id; the eleventh device removes
// the one registered longest ago; a user sees and deletes only their own devices; a device
// expires deviceTTL after its last registration.
func TestDeviceRegistrationRules(t *testing.T) {
	p := startPush(t, "", func(c *config.Config) { c.Notify.DeviceTTL = 2 * time.Second })
	alice, bob := user(t, "alice", "*"), user(t, "bob", "*")
	first := p.mustRegister(alice, `{"platform":"fcm","token":"tok-0"}`)
	if again := p.mustRegister(alice, `{"platform":"fcm","token":"tok-0","levels":["critical"]}`); again != first {
		t.Fatalf("registered again: id %s, first %s", again, first)
	}
	if other := p.mustRegister(bob, `{"platform":"fcm","token":"tok-0"}`); other == first {
		t.Fatal("bob's registration of the same token took alice's device")
	}
	ids := []string{first}
	for i := 1; i <= 10; i++ {
		ids = append(ids, p.mustRegister(alice, fmt.Sprintf(`{"platform":"fcm","token":"tok-%d"}`, i)))
	}
	got := p.devices(alice)
	sort.Strings(got)
	want := slices.Clone(ids[1:])
	sort.Strings(want)
	// On a very busy machine the earliest may have expired already: never more, never the first.
	if len(got) > 10 || slices.Contains(got, first) {
		t.Fatalf("after 11 registrations alice has %v, want %v", got, want)
	}
	if status, _, _ := p.Call(http.MethodDelete, "/api/v1/devices/"+ids[10], bob, ""); status != http.StatusNotFound {
		t.Fatalf("bob deleting alice's device: %d, want 404", status)
	}
	if status, env, _ := p.Call(http.MethodDelete, "/api/v1/devices/"+ids[10], alice, ""); status != http.StatusOK {
		t.Fatalf("alice deleting her device: %d %s", status, env.Message)
	}
	if slices.Contains(p.devices(alice), ids[10]) {
		t.Fatal("a deleted device is listed")
	}
	poll.Eventually(t, func() bool { return len(p.devices(alice)) == 0 && len(p.devices(bob)) == 0 },
		"devices not expired after deviceTTL (2s): alice %v, bob %v", p.devices(alice), p.devices(bob))
}

// TestDeviceRegistrationRefusals: bad bodies are 400 with a message naming the mistake, never
// 500; a platform without an outlet is 400; GET /devices/vapid without a webpush outlet is 404.
func TestDeviceRegistrationRefusals(t *testing.T) {
	p := startPush(t, "", nil)
	alice := user(t, "alice", "meter/*")
	p256dh := "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
	for _, c := range []struct{ body, says string }{
		{`{}`, "platform is required"},
		{`{`, "body"},
		{`[]`, "body"},
		{`{"platform":"fcm","token":"x","extra":1}`, "extra"},
		{`{"token":"x"}`, "platform is required"},
		{`{"platform":"gcm","token":"x"}`, `platform "gcm"`},
		{`{"platform":"fcm"}`, "token: is required"},
		{`{"platform":"fcm","token":"a b"}`, "token: holds"},
		{`{"platform":"fcm","token":"` + strings.Repeat("x", 3000) + `"}`, "token: is longer"},
		{`{"platform":"fcm","token":42}`, "body"},
		{`{"platform":"apns","token":"x","subscription":{"endpoint":"https://e.example/x"}}`, "subscription: only for platform webpush"},
		{`{"platform":"webpush","token":"x"}`, "token: platform webpush"},
		{`{"platform":"webpush"}`, "subscription is required"},
		{`{"platform":"webpush","subscription":{"endpoint":"ftp://e.example/x","keys":{"p256dh":"` + p256dh + `","auth":"tBHItJI5svbpez7KI4CCXg"}}}`, "endpoint is not an https URL"},
		{`{"platform":"webpush","subscription":{"endpoint":"https://e.example/x","keys":{"p256dh":"AAAA","auth":"tBHItJI5svbpez7KI4CCXg"}}}`, "p256dh"},
		{`{"platform":"webpush","subscription":{"endpoint":"https://e.example/x","keys":{"p256dh":"` + p256dh + `","auth":"x"}}}`, "auth"},
		{`{"platform":"webpush","subscription":{"endpoint":"https://e.example/x","keys":{"p256dh":"` + p256dh + `","auth":"tBHItJI5svbpez7KI4CCXg"}}}`, "no outlet of type webpush"},
		{`{"platform":"fcm","token":"x","levels":["urgent"]}`, `levels[0]: "urgent"`},
		{`{"platform":"fcm","token":"x","businesses":["meter"]}`, "businesses[0]"},
		{`{"platform":"fcm","token":"x","businesses":"meter/*"}`, "body"},
	} {
		status, env, _ := p.Call(http.MethodPost, "/api/v1/devices", alice, c.body)
		if status != http.StatusBadRequest || !strings.Contains(env.Message, c.says) {
			t.Errorf("%.80s: %d %q, want 400 saying %q", c.body, status, env.Message, c.says)
		}
	}
	if status, env, _ := p.Call(http.MethodGet, "/api/v1/devices/vapid", alice, ""); status != http.StatusNotFound || !strings.Contains(env.Message, "webpush") {
		t.Errorf("vapid without a webpush outlet: %d %q", status, env.Message)
	}
	if status, env, _ := p.Call(http.MethodGet, "/api/v1/devices", nil, ""); status != http.StatusUnauthorized && status != http.StatusOK {
		t.Errorf("list without a token: %d %q", status, env.Message)
	}
}
