package notice_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/client"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// received is a notice object as a socket receives it.
type received struct {
	Type string `json:"type"`
	Ts   int64  `json:"ts"`
	Data struct {
		User         string          `json:"user"`
		From         string          `json:"from"`
		Title        string          `json:"title"`
		Content      string          `json:"content"`
		Level        string          `json:"level"`
		Data         json.RawMessage `json:"data"`
		BusinessType string          `json:"businessType"`
		BusinessId   string          `json:"businessId"`
	} `json:"data"`
}

// nextNotice reads c until its next notice object (a console may get other objects first).
func nextNotice(t *testing.T, who string, c *pulsenode.Client) received {
	t.Helper()
	for {
		o := c.Next(pulsenode.Patience)
		if o.Type != model.TypeNotice {
			continue
		}
		var n received
		if err := json.Unmarshal(o.Raw, &n); err != nil {
			t.Fatalf("%s: notice %s: %v", who, o.Raw, err)
		}
		return n
	}
}

// notice is a notice body about business typ/id titled title.
func notice(title, typ, id string) string {
	return `{"title":"` + title + `","content":"c","level":"major","data":{"alarmId":"a-1"},"businessType":"` + typ + `","businessId":"` + id + `"}`
}

// send posts body as a notice to user with header, and returns the status and answer.
func send(n *pulsenode.Node, user string, header http.Header, body string) (int, pulsenode.Envelope) {
	n.T.Helper()
	status, env, _ := n.Call(http.MethodPost, "/api/v1/users/"+url.PathEscape(user)+"/notices", header, body)
	return status, env
}

// mustSend sends and requires the answer 200 {} (the same whether or not user is connected).
func mustSend(t *testing.T, n *pulsenode.Node, user string, header http.Header, body string) {
	t.Helper()
	status, env := send(n, user, header, body)
	if status != http.StatusOK || env.Code != 0 || string(env.Data) != "{}" {
		t.Fatalf("notice to %s: %d %+v (data %s), want 200 with data {}", user, status, env, env.Data)
	}
}

// Keys the notice tests add to the node's ingest keys (pulsenode.IngestKeys names the others).
var noticeKeys = map[string]config.IngestKey{
	"meter-notices": {Allow: []string{"notice"}, Businesses: []string{"meter/*"}},
	"slow-notices":  {Allow: []string{"notice"}, Businesses: []string{"*"}, Rate: 0.01},
}

// withNoticeKeys adds noticeKeys; a slow user rate lets the tests see 429 for a token.
func withNoticeKeys(c *config.Config) {
	for name, k := range noticeKeys {
		sum := sha256.Sum256([]byte(pulsenode.IngestKey(name)))
		k.Name, k.KeySHA256 = name, hex.EncodeToString(sum[:])
		c.Auth.IngestKeys = append(c.Auth.IngestKeys, k)
	}
}

// Tokens of the tests: bob follows meter, carol too; alice may assign meter alarms.
func bobGrants() pulsenode.Grants {
	return pulsenode.Grants{RowData: []string{"meter/*"}, Alarms: []string{"meter/*"}}
}

// TestNoticeReachesEverySocketOfItsUser: with auth on, a notice to bob reaches both his dashboard
// and his alarm console, with who sent it; carol, connected as well, gets only her own.
func TestNoticeReachesEverySocketOfItsUser(t *testing.T) {
	n := pulsenode.StartAuth(t, withNoticeKeys)
	bob := pulsenode.Bearer(pulsenode.Token(t, "bob", bobGrants()))
	dashboard := n.DialWith("/ws/rowdata/meter/m-1/bob", bob)
	console := n.DialWith("/ws/alarm", bob)
	carol := n.DialWith("/ws/rowdata/meter/m-1/carol", pulsenode.Bearer(pulsenode.Token(t, "carol", bobGrants())))
	n.WaitConnections(2, 1)

	alice := pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"meter/*"}, Ack: true}))
	mustSend(t, n, "bob", alice, notice("alarm a-1 is yours", "meter", "m-1"))
	mustSend(t, n, "carol", alice, notice("for carol", "meter", "m-2"))

	for who, c := range map[string]*pulsenode.Client{"dashboard": dashboard, "console": console} {
		got := nextNotice(t, "bob's "+who, c)
		d := got.Data
		if d.User != "bob" || d.From != "alice" || d.Title != "alarm a-1 is yours" || d.Content != "c" ||
			d.Level != "major" || string(d.Data) != `{"alarmId":"a-1"}` || d.BusinessType != "meter" || d.BusinessId != "m-1" || got.Ts == 0 {
			t.Errorf("bob's %s received %+v", who, got)
		}
	}
	if got := nextNotice(t, "carol", carol); got.Data.Title != "for carol" {
		t.Errorf("carol's first notice is %q, want her own (bob's reached her)", got.Data.Title)
	}
	n.Moved("pulse_notices_sent_total", 2)
	n.Moved("pulse_notices_delivered_total", 2, "endpoint=rowdata")
	n.Moved("pulse_notices_delivered_total", 1, "endpoint=alarm")
}

// TestNoticeOutsideTheReceiversPatterns: a notice whose business bob's patterns do not cover is
// answered as any other (200 {}) and not delivered to him; the next one, inside them, is.
func TestNoticeOutsideTheReceiversPatterns(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	bob := pulsenode.Bearer(pulsenode.Token(t, "bob", bobGrants()))
	dashboard := n.DialWith("/ws/rowdata/meter/m-1/bob", bob)
	console := n.DialWith("/ws/alarm", bob)
	n.WaitConnections(1, 1)
	boss := pulsenode.Bearer(pulsenode.Token(t, "boss", pulsenode.Grants{Alarms: []string{"*"}, Ack: true}))
	mustSend(t, n, "bob", boss, notice("pump", "pump", "p-1"))
	mustSend(t, n, "bob", boss, notice("meter", "meter", "m-9"))
	for who, c := range map[string]*pulsenode.Client{"dashboard": dashboard, "console": console} {
		if got := nextNotice(t, who, c); got.Data.Title != "meter" {
			t.Errorf("bob's %s received the notice about %s/%s, outside his patterns", who, got.Data.BusinessType, got.Data.BusinessId)
		}
	}
}

// TestNoticeSenders: who may send what. A token needs "ack" and its alarms patterns must cover
// the business; an ingest key needs "notice" in its allow and its businesses must cover it; each
// refusal is 403 and delivers nothing. A user nobody is connected as gets the same 200 {} as one
// who is, so the answer never tells who is online.
func TestNoticeSenders(t *testing.T) {
	n := pulsenode.StartAuth(t, withNoticeKeys)
	bob := n.DialWith("/ws/rowdata/meter/m-1/bob", pulsenode.Bearer(pulsenode.Token(t, "bob", bobGrants())))
	n.WaitConnections(1, 0)
	body := notice("t", "meter", "m-1")
	key := func(name string) http.Header { return http.Header{"X-Api-Key": {pulsenode.IngestKey(name)}} }
	for _, c := range []struct {
		name   string
		header http.Header
		body   string
		want   string
	}{
		{"token without ack", pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"*"}})), body, `needs "ack": true`},
		{"token outside its patterns", pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"pump/*"}, Ack: true})), body, "do not cover business meter/m-1"},
		{"key without notice", key("broadcaster"), body, `allow has no "notice"`},
		{"key outside its businesses", key("meter-notices"), notice("t", "pump", "p-1"), "may not send notices about business pump/p-1"},
		{"the reserved type", key("slow-notices"), notice("t", "pulse", "x"), "reserved"},
	} {
		status, env := send(n, "bob", c.header, c.body)
		if status != http.StatusForbidden || env.Code == 0 || !strings.Contains(env.Message, c.want) {
			t.Errorf("%s: %d %+v, want 403 saying %q", c.name, status, env, c.want)
		}
	}
	if status, env := send(n, "bob", nil, body); status != http.StatusUnauthorized || !strings.Contains(env.Message, "an ingest key") || !strings.Contains(env.Message, "a token") {
		t.Errorf("no credential: %d %+v, want 401 naming both credentials", status, env)
	}
	if status, _ := send(n, "bob", pulsenode.Bearer("a.b.c"), body); status != http.StatusUnauthorized {
		t.Errorf("a bearer shaped like a JWT that is none: %d, want 401", status)
	}
	if status, _ := send(n, "bob", pulsenode.Bearer("no-such-key"), body); status != http.StatusUnauthorized {
		t.Errorf("an unknown key: %d, want 401", status)
	}
	// Allowed: an ingest key with "notice", as Bearer and as X-API-Key, and to nobody online.
	mustSend(t, n, "nobody-is-connected-as-me", key("meter-notices"), body)
	mustSend(t, n, "bob", pulsenode.Bearer(pulsenode.IngestKey("meter-notices")), notice("from the key", "meter", "m-1"))
	got := nextNotice(t, "bob", bob)
	if got.Data.Title != "from the key" || got.Data.From != "meter-notices" {
		t.Errorf("bob received %+v, want the key's notice (a refused one reached him?)", got.Data)
	}
	n.Moved("pulse_notices_refused_total", 5, "reason=forbidden")
}

// TestNoticeRateLimits: notices count toward the sender's rate like the rest of the API: an
// ingest key's rate and a user's auth.userRate; over it, 429 with Retry-After.
func TestNoticeRateLimits(t *testing.T) {
	n := pulsenode.StartAuth(t, func(c *config.Config) { withNoticeKeys(c); c.Auth.UserRate = 0.01 })
	token := pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"*"}, Ack: true}))
	key := http.Header{"X-Api-Key": {pulsenode.IngestKey("slow-notices")}}
	for name, h := range map[string]http.Header{"ingest key": key, "token": token} {
		limited := false
		for range 5 { // the burst is 1 (rate 0.01/s): the second within 100 s is over it
			status, env, header := n.Call(http.MethodPost, "/api/v1/users/bob/notices", h, notice("t", "meter", "m-1"))
			if status == http.StatusTooManyRequests {
				if header.Get("Retry-After") == "" || env.Code == 0 {
					t.Errorf("%s: 429 without Retry-After or code: %+v", name, env)
				}
				limited = true
				break
			}
			if status != http.StatusOK {
				t.Fatalf("%s: %d %+v", name, status, env)
			}
		}
		if !limited {
			t.Errorf("%s: five notices at a rate of 0.01/s were all accepted", name)
		}
	}
}

// TestNoticeBadBodies: every malformed request is a 400 naming what is wrong, and sends nothing.
func TestNoticeBadBodies(t *testing.T) {
	n := pulsenode.Start(t, nil)
	dashboard := n.Dial("/ws/rowdata/meter/m-1/bob")
	n.WaitConnections(1, 0)
	long := strings.Repeat("x", 513)
	bigData := `{"title":"t","businessType":"meter","businessId":"m-1","data":"` + strings.Repeat("x", 17<<10) + `"}`
	for _, c := range []struct{ user, body, want string }{
		{"bob", `not json`, "body"},
		{"bob", `[]`, "body"},
		{"bob", `{"title":"t","businessType":"meter","businessId":"m-1","colour":"red"}`, "colour"},
		{"bob", `{"title":"t","title":"u","businessType":"meter","businessId":"m-1"}`, "duplicate"},
		{"bob", `{"businessType":"meter","businessId":"m-1"}`, "title"},
		{"bob", `{"title":"` + long + `","businessType":"meter","businessId":"m-1"}`, "title: must be at most 512 bytes"},
		{"bob", `{"title":"t","content":"` + strings.Repeat("x", 8193) + `","businessType":"meter","businessId":"m-1"}`, "content"},
		{"bob", `{"title":"t","level":"loud","businessType":"meter","businessId":"m-1"}`, "level"},
		{"bob", bigData, "data: must be at most"},
		{"bob", `{"title":"t","businessId":"m-1"}`, "businessType"},
		{"bob", `{"title":"t","businessType":"meter"}`, "businessId"},
		{"bob", `{"title":"t","businessType":"meter","businessId":"*"}`, "businessId"},
		{"bob", `{"title":"t","businessType":"meter","businessId":"m-1","data":"\ud800"}`, "UTF-8"},
		{strings.Repeat("u", 129), notice("t", "meter", "m-1"), "user: must be at most 128 bytes"},
	} {
		status, env := send(n, c.user, nil, c.body)
		if status != http.StatusBadRequest || env.Code == 0 || !strings.Contains(env.Message, c.want) {
			t.Errorf("%.60s: %d %+v, want 400 naming %q", c.body, status, env, c.want)
		}
	}
	if status, _, _, _ := n.Request(http.MethodPost, "/api/v1/users/bob/notices", "application/json", nil, nil); status != http.StatusBadRequest {
		t.Errorf("an empty body: %d, want 400", status)
	}
	if status, _, _, _ := n.Request(http.MethodPost, "/api/v1/users/bob/notices", "text/plain", []byte(notice("t", "meter", "m-1")), nil); status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d, want 415", status)
	}
	mustSend(t, n, "bob", nil, notice("the good one", "meter", "m-1"))
	if got := nextNotice(t, "bob", dashboard); got.Data.Title != "the good one" {
		t.Errorf("bob received %q first: a refused notice was sent", got.Data.Title)
	}
	n.Moved("pulse_notices_refused_total", 14, "reason=invalid")
}

// TestNoticeAuthOff: with auth off the user is a dashboard's userName and a console's ?user=;
// a console without one receives no notices; a bad ?user= is refused before the upgrade.
func TestNoticeAuthOff(t *testing.T) {
	n := pulsenode.Start(t, nil)
	dashboard := n.Dial("/ws/rowdata/meter/m-1/" + url.PathEscape("张三"))
	console := n.Dial("/ws/alarm?user=" + url.QueryEscape("张三"))
	anonymous := n.Dial("/ws/alarm")
	n.WaitConnections(1, 2)
	mustSend(t, n, "张三", nil, notice("yours", "pump", "p-1"))
	for who, c := range map[string]*pulsenode.Client{"dashboard": dashboard, "console": console} {
		if got := nextNotice(t, who, c); got.Data.Title != "yours" || got.Data.User != "张三" || got.Data.From != "" {
			t.Errorf("%s received %+v", who, got.Data)
		}
	}
	// The anonymous console's next object is the alarm raised after the notice, not the notice.
	pulsenode.RaiseAs(t, n, "", "after", "pump", "p-1")
	if o := anonymous.Next(pulsenode.Patience); o.Type != "alarm" {
		t.Errorf("a console without a user received %s", o.Raw)
	}
	for _, q := range []string{"?user=", "?user=a&user=b", "?user=" + strings.Repeat("u", 129)} {
		if status, env, _ := n.Refused("/ws/alarm"+q, nil); status != http.StatusBadRequest || !strings.Contains(env.Message, "user") {
			t.Errorf("/ws/alarm%s: %d %+v, want 400 about user", q, status, env)
		}
	}
}

// TestNoticeConsoleUserWithAuth: with auth on a console's user is its token's sub; a ?user= that
// is someone else's is refused (403), one's own is fine.
func TestNoticeConsoleUserWithAuth(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	bob := pulsenode.Bearer(pulsenode.Token(t, "bob", bobGrants()))
	if status, _, _ := n.Refused("/ws/alarm?user=alice", bob); status != http.StatusForbidden {
		t.Errorf("bob's console as alice: %d, want 403", status)
	}
	console := n.DialWith("/ws/alarm?user=bob", bob)
	n.WaitConnections(0, 1)
	mustSend(t, n, "bob", pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"*"}, Ack: true})), notice("t", "meter", "m-1"))
	if got := nextNotice(t, "console", console); got.Data.User != "bob" {
		t.Errorf("received %+v", got.Data)
	}
}

// TestNoticeAcrossNodes: two nodes on one Redis, auth on: a notice posted to one node reaches
// the user's sockets on both.
func TestNoticeAcrossNodes(t *testing.T) {
	testsvc.RequireRedis(t)
	testsvc.EachDatabase(t, "pulse_notice_cluster", func(t *testing.T, link string) {
		nodes := pulsenode.StartCluster(t, 2, testsvc.RedisAddr, link, true)
		bob := pulsenode.Bearer(pulsenode.Token(t, "bob", bobGrants()))
		here := nodes[0].DialWith("/ws/alarm", bob)
		there := nodes[1].DialWith("/ws/rowdata/meter/m-1/bob", bob)
		nodes[0].WaitConnections(0, 1)
		nodes[1].WaitConnections(1, 0)
		alice := pulsenode.Bearer(pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"meter/*"}, Ack: true}))
		mustSend(t, nodes[0], "bob", alice, notice("everywhere", "meter", "m-1"))
		for who, c := range map[string]*pulsenode.Client{"this node": here, "the other node": there} {
			if got := nextNotice(t, who, c); got.Data.Title != "everywhere" || got.Data.From != "alice" {
				t.Errorf("bob's socket on %s received %+v", who, got.Data)
			}
		}
	})
}

// TestSendToUserFromGo: the in-process API and the Go client send notices as HTTP does, and
// refuse as it does.
func TestSendToUserFromGo(t *testing.T) {
	n := pulsenode.StartAuth(t, withNoticeKeys)
	bob := n.DialWith("/ws/rowdata/meter/m-1/bob", pulsenode.Bearer(pulsenode.Token(t, "bob", bobGrants())))
	n.WaitConnections(1, 0)
	ctx := context.Background()

	ingest.SetDefault(n.Ingest)
	t.Cleanup(func() { ingest.SetDefault(nil) })
	if err := ingest.SendToUser(ctx, "bob", model.Notice{Title: "in process", BusinessType: "meter", BusinessId: "m-1"}); err != nil {
		t.Fatal(err)
	}
	if err := ingest.SendToUser(ctx, "bob", model.Notice{Title: "t", Level: "loud", BusinessType: "meter", BusinessId: "m-1"}); err == nil {
		t.Error("the Go API took the level loud")
	}
	if got := nextNotice(t, "bob", bob); got.Data.Title != "in process" || got.Data.Level != "info" {
		t.Errorf("bob received %+v, want the in-process notice at level info", got.Data)
	}

	c, err := client.New(n.Base, client.WithIngestKey(pulsenode.IngestKey("meter-notices")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if err := c.SendToUser(ctx, "bob", client.Notice{Title: "from the client", Level: client.LevelMinor,
		Data: map[string]string{"alarmId": "a-7"}, BusinessType: "meter", BusinessId: "m-1"}); err != nil {
		t.Fatal(err)
	}
	if got := nextNotice(t, "bob", bob); got.Data.Title != "from the client" || string(got.Data.Data) != `{"alarmId":"a-7"}` || got.Data.From != "meter-notices" {
		t.Errorf("bob received %+v", got.Data)
	}
	err = c.SendToUser(ctx, "bob", client.Notice{Title: "t", BusinessType: "pump", BusinessId: "p-1"})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusForbidden {
		t.Errorf("a notice outside the key's businesses: %v, want an *Error with status 403", err)
	}
}
