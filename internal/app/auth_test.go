package app_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/os/glog"
	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// TestDoorTokens: tokens of every configured algorithm open both endpoints, in the header or
// (browsers) the query; every bad token is refused 401 with WWW-Authenticate before the upgrade,
// on the door and on the alarm API alike; good tokens that do not cover the request get 403.
func TestDoorTokens(t *testing.T) {
	n := authNode(t, nil)
	s := signers()
	g := grants{RowData: []string{"meter/*", "pump/p-7"}, Alarms: []string{"*"}}
	for alg, tok := range map[string]string{
		"HS256": token(t, "alice", g),
		"HS512": sign(t, jwt.SigningMethodHS512, []byte(authSecret), claims("alice", g)),
		"RS256": sign(t, jwt.SigningMethodRS256, s.rsa, claims("alice", g)),
		"ES256": sign(t, jwt.SigningMethodES256, s.ecdsa, claims("alice", g)),
		"EdDSA": sign(t, jwt.SigningMethodEdDSA, s.ed25519, claims("alice", g)),
	} {
		n.dialWith("/ws/rowdata/meter/m-1/alice", bearer(tok)).ws.Close()
		n.dialWith("/ws/rowdata/meter/m-1/alice?access_token="+tok, nil).ws.Close()
		n.dialWith("/ws/alarm?access_token="+tok, nil).ws.Close()
		n.dialWith("/ws/alarm", bearer(tok)).ws.Close()
		if status, env, _ := n.call(http.MethodGet, "/api/v1/alarms", bearer(tok), ""); status != 200 {
			t.Errorf("%s: GET /api/v1/alarms: %d %+v", alg, status, env)
		}
	}

	good := token(t, "alice", g)
	parts := strings.Split(good, ".")
	wider, _ := json.Marshal(claims("alice", grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true}))
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"missing":       "",
		"malformed":     "not-a-jwt",
		"tampered":      parts[0] + "." + base64.RawURLEncoding.EncodeToString(wider) + "." + parts[2],
		"bad signature": parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("forged signature bytes")),
		"expired":       token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
		"not yet valid": token(t, "alice", g, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }),
		"no exp":        token(t, "alice", g, func(c jwt.MapClaims) { delete(c, "exp") }),
		"wrong iss":     token(t, "alice", g, func(c jwt.MapClaims) { c["iss"] = "someone-else" }),
		"wrong aud":     token(t, "alice", g, func(c jwt.MapClaims) { c["aud"] = "other-service" }),
		"alg none":      sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("alice", g)),
		"HS256 with the RSA public key": sign(t, jwt.SigningMethodHS256, []byte(publicPEM(t, &s.rsa.PublicKey)),
			claims("alice", g)),
		"unknown RSA key": sign(t, jwt.SigningMethodRS256, otherRSA, claims("alice", g)),
	} {
		header := http.Header{}
		if tok != "" {
			header = bearer(tok)
		}
		for _, path := range []string{"/ws/rowdata/meter/m-1/alice", "/ws/alarm"} {
			status, env, h := n.refused(path, header)
			if status != http.StatusUnauthorized || env.Code != 61 || h.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s on %s: %d %+v (WWW-Authenticate %q), want 401 code 61 with WWW-Authenticate: Bearer",
					name, path, status, env, h.Get("WWW-Authenticate"))
			}
			if tok != "" && strings.Contains(env.Message, tok) {
				t.Errorf("%s: the answer quotes the token", name)
			}
		}
		if tok != "" { // the same in the query
			if status, _, _ := n.refused("/ws/alarm?access_token="+tok, nil); status != http.StatusUnauthorized {
				t.Errorf("%s in access_token: %d, want 401", name, status)
			}
		}
		status, env, h := n.call(http.MethodGet, "/api/v1/alarms", header, "")
		if status != http.StatusUnauthorized || env.Code != 61 || h.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%s on GET /api/v1/alarms: %d %+v", name, status, env)
		}
	}
	// The API takes a token in the header only: a token in a URL ends up in logs.
	if status, _, _ := n.call(http.MethodGet, "/api/v1/alarms?access_token="+good, nil, ""); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/alarms?access_token=: %d, want 401", status)
	}

	// Valid tokens that do not cover the request: 403, code 1403.
	for _, tc := range []struct {
		name, path string
		g          grants
	}{
		{"userName is not sub", "/ws/rowdata/meter/m-1/bob", g},
		{"(T, I) not covered", "/ws/rowdata/pump/p-8/alice", g},
		{"(T, *) needs T/*", "/ws/rowdata/pump/*/alice", g},
		{"no pulse claim", "/ws/rowdata/meter/m-1/alice", grants{}},
		{"no alarms patterns", "/ws/alarm", grants{RowData: []string{"*"}}},
	} {
		status, env, _ := n.refused(tc.path, bearer(token(t, "alice", tc.g)))
		if status != http.StatusForbidden || env.Code != 1403 {
			t.Errorf("%s: %d %+v, want 403 code 1403", tc.name, status, env)
		}
	}
	// What the patterns do cover.
	for _, path := range []string{"/ws/rowdata/meter/*/alice", "/ws/rowdata/pump/p-7/alice"} {
		n.dialWith(path, bearer(token(t, "alice", g))).ws.Close()
	}
	everything := token(t, "alice", grants{RowData: []string{"*"}})
	for _, path := range []string{"/ws/rowdata/any/thing/alice", "/ws/rowdata/any/*/alice"} {
		n.dialWith(path, bearer(everything)).ws.Close()
	}
}

// raiseAs raises one alarm of business typ/id with the ingest key name.
func raiseAs(t *testing.T, n *node, key, id, typ, bid string) {
	t.Helper()
	body := `{"alarmId":"` + id + `","businessType":"` + typ + `","businessId":"` + bid + `","level":"major","title":"t"}`
	if status, env, _ := n.call(http.MethodPost, "/api/v1/alarm", http.Header{"X-Api-Key": {ingestKey(key)}}, body); status != 200 {
		t.Fatalf("raise %s: %d %+v", id, status, env)
	}
}

// alarmIds reads alarm objects until one of alarm "end", and returns their ids and events.
func (c *client) alarmsUntilEnd() []string {
	c.t.Helper()
	var got []string
	for {
		o := c.next(patience)
		if o.Type != "alarm" {
			continue
		}
		var a struct{ AlarmId, AckedBy string }
		_ = json.Unmarshal(o.Data, &a)
		if a.AlarmId == "end" {
			return got
		}
		got = append(got, a.AlarmId+":"+o.Event+a.AckedBy)
	}
}

func idsOf(objects []object) []string {
	var ids []string
	for _, o := range objects {
		var a struct{ AlarmId string }
		_ = json.Unmarshal(o.Data, &a)
		ids = append(ids, a.AlarmId)
	}
	return ids
}

// TestAlarmScoping: a console receives, replays and lists only the alarms its patterns cover, and
// acknowledges or clears only those, with "ack" in its token, as its token's sub; the others look
// absent (404), with or without "ack".
func TestAlarmScoping(t *testing.T) {
	n := authNode(t, nil)
	meter := grants{Alarms: []string{"meter/*", "end/x"}, Ack: true}
	pump7 := grants{Alarms: []string{"pump/p-7", "end/x"}, Ack: true}
	all := grants{Alarms: []string{"*"}}
	consoles := map[string]*client{
		"meter": n.dialWith("/ws/alarm", bearer(token(t, "maria", meter))),
		"pump7": n.dialWith("/ws/alarm", bearer(token(t, "pat", pump7))),
		"all":   n.dialWith("/ws/alarm", bearer(token(t, "ann", all))),
	}
	raiseAs(t, n, "all-alarms", "a-m1", "meter", "m-1")
	raiseAs(t, n, "all-alarms", "a-p7", "pump", "p-7")
	raiseAs(t, n, "all-alarms", "a-p8", "pump", "p-8")
	raiseAs(t, n, "all-alarms", "end", "end", "x")
	want := map[string]string{
		"meter": "a-m1:raised",
		"pump7": "a-p7:raised",
		"all":   "a-m1:raised a-p7:raised a-p8:raised",
	}
	for who, c := range consoles {
		if got := strings.Join(c.alarmsUntilEnd(), " "); got != want[who] {
			t.Errorf("live, %s received %s, want %s", who, got, want[who])
		}
	}

	// Replay (resume from 0, and the current state) and the list: the same scope.
	for _, path := range []string{"/ws/alarm?since=0", "/ws/alarm"} {
		c := n.dialWith(path, bearer(token(t, "maria", meter)))
		if got := idsOf(c.replayed); !slices.Equal(got, []string{"a-m1", "end"}) {
			t.Errorf("%s replayed %v, want [a-m1 end]", path, got)
		}
	}
	status, env, _ := n.call(http.MethodGet, "/api/v1/alarms", bearer(token(t, "pat", pump7)), "")
	var list struct{ Items []struct{ AlarmId string } }
	_ = json.Unmarshal(env.Data, &list)
	if status != 200 || len(list.Items) != 2 || list.Items[0].AlarmId != "end" || list.Items[1].AlarmId != "a-p7" {
		t.Errorf("GET /api/v1/alarms as pump/p-7: %d %s, want end and a-p7", status, env.Data)
	}
	if status, env, _ := n.call(http.MethodGet, "/api/v1/alarms", bearer(token(t, "pat", grants{RowData: []string{"*"}})), ""); status != 403 || env.Code != 1403 {
		t.Errorf("GET /api/v1/alarms with no alarms patterns: %d %+v, want 403 code 1403", status, env)
	}
	status, env, _ = n.call(http.MethodGet, "/api/v1/alarms?limit=1", bearer(token(t, "pat", pump7)), "")
	if _ = json.Unmarshal(env.Data, &list); status != 200 || len(list.Items) != 1 {
		t.Errorf("GET /api/v1/alarms?limit=1: %d %s, want one alarm", status, env.Data)
	}

	// Acknowledging and clearing: the flag, the scope, and ackedBy from the token.
	for _, tc := range []struct {
		name, path string
		g          grants
		status     int
	}{
		{"ack without the flag", "/api/v1/alarms/a-m1/ack", grants{Alarms: []string{"*"}}, 403},
		{"clear without the flag", "/api/v1/alarms/a-m1/clear", grants{Alarms: []string{"*"}}, 403},
		{"ack without the flag, in full", "/api/v1/alarms/meter/m-1/a-m1/ack", grants{Alarms: []string{"*"}}, 403},
		{"ack outside the scope", "/api/v1/alarms/a-m1/ack", pump7, 404},
		{"clear outside the scope", "/api/v1/alarms/a-p8/clear", pump7, 404},
		{"clear outside the scope, in full", "/api/v1/alarms/pump/p-8/a-p8/clear", pump7, 404},
		{"ack outside the scope, without the flag", "/api/v1/alarms/a-p8/ack", grants{Alarms: []string{"meter/*"}}, 404},
		{"ack of an unknown alarm", "/api/v1/alarms/nope/ack", pump7, 404},
	} {
		status, env, _ := n.call(http.MethodPost, tc.path, bearer(token(t, "pat", tc.g)), `{}`)
		if status != tc.status || (status == 403 && env.Code != 1403) {
			t.Errorf("%s: %d %+v, want %d", tc.name, status, env, tc.status)
		}
	}
	// The body's user is not who acknowledges: the token's sub is.
	status, env, _ = n.call(http.MethodPost, "/api/v1/alarms/a-p7/ack", bearer(token(t, "pat", pump7)), `{"user":"mallory"}`)
	var acked struct{ AckedBy, Status string }
	if _ = json.Unmarshal(env.Data, &acked); status != 200 || acked.AckedBy != "pat" || acked.Status != "acked" {
		t.Errorf("ack as pat with user mallory: %d %s, want acked by pat", status, env.Data)
	}
	// Over a console's socket: out of scope absent, in scope acknowledged as the sub.
	consoles["meter"].send(`{"type":"ack","alarmId":"a-p8"}`)
	if o := consoles["meter"].next(patience); o.Type != "error" || o.Code != 65 || o.Message != `alarm "a-p8" not found` {
		t.Errorf("console ack outside the scope: %s, want the error of an unknown alarm", o.raw)
	}
	consoles["meter"].send(`{"type":"ack","alarmId":"a-m1","user":"mallory"}`)
	if o := consoles["meter"].next(patience); o.Event != "acked" || !strings.Contains(string(o.Data), `"ackedBy":"maria"`) {
		t.Errorf("console ack: the console saw %s, want a-m1 acked by maria", o.raw)
	}
	raiseAs(t, n, "all-alarms", "end", "end", "x")
	if got := strings.Join(consoles["all"].alarmsUntilEnd(), " "); got != "a-p7:ackedpat a-m1:ackedmaria" {
		t.Errorf("the console of everything saw %s, want a-p7 acked by pat, a-m1 by maria", got)
	}
	noAck := n.dialWith("/ws/alarm", bearer(token(t, "ann", all)))
	noAck.send(`{"type":"ack","alarmId":"a-p8"}`)
	if o := noAck.next(patience); o.Type != "error" || o.Code != 1403 {
		t.Errorf("console ack without the flag: %s, want an error with code 1403", o.raw)
	}
}

// TestIngestKeys: ingest needs a key; a key publishes only its kinds and businesses, a batch with
// one item it does not cover is refused whole and delivers nothing, and a key over its rate gets
// 429 with Retry-After.
func TestIngestKeys(t *testing.T) {
	n := authNode(t, nil)
	dash := n.dialWith("/ws/rowdata/meter/m-1/dora", bearer(token(t, "dora", grants{RowData: []string{"*"}})))
	row := func(typ, id string, v int) string {
		return `{"businessType":"` + typ + `","businessId":"` + id + `","data":{"i":` + strconv.Itoa(v) + `}}`
	}
	key := func(name string) http.Header { return http.Header{"X-Api-Key": {ingestKey(name)}} }
	for _, tc := range []struct {
		name, path string
		header     http.Header
		body       string
		status     int
		code       int
	}{
		{"no key", "/api/v1/rowdata", nil, row("meter", "m-1", 900), 401, 61},
		{"unknown key", "/api/v1/rowdata", bearer("not-a-configured-key"), row("meter", "m-1", 901), 401, 61},
		{"a user's token is not a key", "/api/v1/rowdata", bearer(token(t, "dora", grants{RowData: []string{"*"}})), row("meter", "m-1", 902), 401, 61},
		{"kind not allowed", "/api/v1/alarm", key("meter-rows"), `{"businessType":"meter","businessId":"m-1","title":"t"}`, 403, 1403},
		{"kind not allowed", "/api/v1/rowdata", key("all-alarms"), row("meter", "m-1", 903), 403, 1403},
		{"business not covered", "/api/v1/rowdata", key("meter-rows"), row("pump", "p-1", 904), 403, 1403},
		{"mixed batch", "/api/v1/rowdata", key("meter-rows"), `{"items":[` + row("meter", "m-1", 905) + `,` + row("pump", "p-1", 906) + `]}`, 403, 1403},
		{"broadcast needs *", "/api/v1/rowdata", key("meter-rows"), row("", "", 907), 403, 1403},
	} {
		status, env, h := n.call(http.MethodPost, tc.path, tc.header, tc.body)
		if status != tc.status || env.Code != tc.code {
			t.Errorf("%s: %d %+v, want %d code %d", tc.name, status, env, tc.status, tc.code)
		}
		if status == 401 && h.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%s: 401 without WWW-Authenticate: Bearer", tc.name)
		}
	}
	// Accepted, with either header; a broadcast with "*". The dashboard's first row is the first
	// accepted one: nothing of the refused requests was delivered.
	if status, env, _ := n.call(http.MethodPost, "/api/v1/rowdata", bearer(ingestKey("meter-rows")), row("meter", "m-1", 1)); status != 200 {
		t.Fatalf("meter-rows, Bearer: %d %+v", status, env)
	}
	if status, env, _ := n.call(http.MethodPost, "/api/v1/rowdata", key("meter-rows"), row("meter", "m-1", 2)); status != 200 {
		t.Fatalf("meter-rows, X-API-Key: %d %+v", status, env)
	}
	if status, env, _ := n.call(http.MethodPost, "/api/v1/rowdata", key("broadcaster"), row("", "", 3)); status != 200 {
		t.Fatalf("broadcaster: %d %+v", status, env)
	}
	for _, want := range []int{1, 2, 3} {
		if got := rowValue(dash.next(patience)); got != want {
			t.Fatalf("the dashboard received i=%d, want %d (a refused request was delivered?)", got, want)
		}
	}

	// rate 0.5/s, burst 1: the second request within two seconds is refused.
	var retryAfter string
	for i := 0; i < 10 && retryAfter == ""; i++ {
		status, env, h := n.call(http.MethodPost, "/api/v1/rowdata", key("slow-meter-1"), row("meter", "m-1", 10+i))
		switch status {
		case 200:
		case 429:
			if env.Code != 1429 || strings.Contains(env.Message, ingestKey("slow-meter-1")) || !strings.Contains(env.Message, "slow-meter-1") {
				t.Errorf("429: %+v, want code 1429 naming the key's name, not the key", env)
			}
			retryAfter = h.Get("Retry-After")
		default:
			t.Fatalf("slow-meter-1: %d %+v", status, env)
		}
	}
	if secs, err := strconv.Atoi(retryAfter); err != nil || secs < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", retryAfter)
	}
}

// authReply is {"type":"auth","exp":...}.
func authReply(t *testing.T, o object) int64 {
	t.Helper()
	var r struct {
		Type string
		Exp  int64
	}
	if json.Unmarshal(o.raw, &r) != nil || r.Type != "auth" {
		t.Fatalf("got %s, want {\"type\":\"auth\",\"exp\":...}", o.raw)
	}
	return r.Exp
}

// TestTokenRefresh: a connection whose token reaches exp is closed with 4401, not before; one that
// refreshed in time stays open; a refresh of another sub, expired, or not covering the
// subscription is refused with an error and changes nothing; a console's new patterns apply
// from then on.
func TestTokenRefresh(t *testing.T) {
	n := authNode(t, nil)
	g := grants{RowData: []string{"meter/*"}, Alarms: []string{"*"}}
	exp := time.Now().Add(3 * time.Second).Truncate(time.Second)
	short := token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = exp.Unix() })
	kept := n.dialWith("/ws/rowdata/meter/m-1/alice", bearer(short))
	lapsed := n.dialWith("/ws/rowdata/meter/m-1/alice", bearer(short))

	later := time.Now().Add(time.Hour).Unix()
	kept.send(`{"type":"auth","token":"` + token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = later }) + `"}`)
	if got := authReply(t, kept.next(patience)); got != later {
		t.Errorf("refresh answered exp %d, want %d", got, later)
	}
	for _, tc := range []struct {
		name, message string
		code          int
	}{
		{"another sub", `{"type":"auth","token":"` + token(t, "bob", g) + `"}`, 1403},
		{"expired", `{"type":"auth","token":"` + token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }) + `"}`, 61},
		{"not covering the subscription", `{"type":"auth","token":"` + token(t, "alice", grants{RowData: []string{"pump/*"}}) + `"}`, 1403},
		{"no token", `{"type":"auth"}`, 51},
		{"tampered", `{"type":"auth","token":"` + short[:len(short)-6] + `"}`, 61},
	} {
		kept.send(tc.message)
		if o := kept.next(patience); o.Type != "error" || o.Code != tc.code {
			t.Errorf("refresh with %s: %s, want an error with code %d", tc.name, o.raw, tc.code)
		}
	}

	if code := lapsed.closeCode(patience); code != 4401 {
		t.Errorf("the connection that did not refresh closed with %d, want 4401", code)
	}
	if now := time.Now(); now.Before(exp) {
		t.Errorf("closed %v before exp", exp.Sub(now))
	}
	// Both had the same deadline, and it has passed: the refreshed one is still open.
	kept.send(`{"type":"ping"}`)
	if o := kept.next(patience); o.Type != "pong" {
		t.Errorf("the refreshed connection: got %s, want a pong", o.raw)
	}

	// A console's refreshed patterns decide what it receives next.
	console := n.dialWith("/ws/alarm", bearer(token(t, "alice", g)))
	console.send(`{"type":"auth","token":"` + token(t, "alice", grants{Alarms: []string{"pump/*", "end/x"}}) + `"}`)
	authReply(t, console.next(patience))
	raiseAs(t, n, "all-alarms", "m-after", "meter", "m-1")
	raiseAs(t, n, "all-alarms", "p-after", "pump", "p-1")
	raiseAs(t, n, "all-alarms", "end", "end", "x")
	if got := strings.Join(console.alarmsUntilEnd(), " "); got != "p-after:raised" {
		t.Errorf("after narrowing to pump/*, the console received %s, want p-after only", got)
	}
}

// TestNoCredentialInTheLog: with the access logs on (Pulse's log.access and GoFrame's), good and
// bad tokens and keys at the door, on the API and in refreshes leave no trace of themselves in any
// log, while Pulse's access log shows each request and upgrade with its status and ingest key.
func TestNoCredentialInTheLog(t *testing.T) {
	var mu sync.Mutex
	var logged bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logged.Write(p) })
	// The loggers are set before the node starts and reset after it stops (cleanups run last
	// first): a logger's writer may not change while the node logs.
	loggers := []*glog.Logger{glog.DefaultLogger(), g.Log()}
	t.Cleanup(func() {
		for _, l := range loggers {
			l.SetWriter(nil)
			l.SetStdoutPrint(true)
		}
	})
	for _, l := range loggers {
		l.SetWriter(w)
		l.SetStdoutPrint(false)
	}
	accessLog := func(c *config.Config) { withAuth(t)(c); c.Log.Access = true }
	n := startNodeWith(t, accessLog, func(a *app.App) {
		a.Server.SetAccessLogEnabled(true)
		a.Server.SetErrorLogEnabled(true)
		a.Server.Logger().SetWriter(w)
		a.Server.Logger().SetStdoutPrint(false)
	})
	n.credentials = false

	good := token(t, "alice", grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true})
	bad := good[:len(good)-6] + "AAAAAA"
	secrets := []string{good, bad, authSecret}
	for name := range ingestKeys {
		secrets = append(secrets, ingestKey(name))
	}
	n.dialWith("/ws/rowdata/meter/m-1/alice?access_token="+good, nil).ws.Close()
	n.refused("/ws/rowdata/meter/m-1/alice?access_token="+bad, nil)
	c := n.dialWith("/ws/alarm", bearer(good))
	c.send(`{"type":"auth","token":"` + bad + `"}`)
	c.next(patience)
	for _, tok := range []string{good, bad} {
		n.call(http.MethodGet, "/api/v1/alarms", bearer(tok), "")
		n.call(http.MethodGet, "/api/v1/alarms?access_token="+tok, nil, "")
		n.call(http.MethodPost, "/api/v1/alarms/a-1/ack", bearer(tok), `{}`)
	}
	for name := range ingestKeys {
		for range 3 { // the slow key's third is a 429
			n.call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {ingestKey(name)}}, `{"businessType":"meter","businessId":"m-1","data":{}}`)
		}
	}
	n.call(http.MethodPost, "/api/v1/rowdata", bearer("not-a-key-"+authSecret), `{"businessType":"meter","businessId":"m-1","data":{}}`)

	var text string
	poll.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		text = logged.String()
		return strings.Contains(text, "/api/v1/rowdata") && // the access logs' last lines are written
			strings.Contains(text, `access POST /api/v1/rowdata 401`)
	}, "the access log was not captured:\n%s", text)
	for _, want := range []string{
		"access GET /ws/rowdata/meter/m-1/alice 101 ", // the good token's upgrade, its access_token left out
		"access GET /ws/rowdata/meter/m-1/alice 401 ",
		"access GET /ws/alarm 101 ",
		"access GET /api/v1/alarms 200 ",
		"access GET /api/v1/alarms 401 ",
		"access POST /api/v1/alarms/a-1/ack 404 ",
		`access POST /api/v1/rowdata 200 `, `key="meter-rows"`,
		`access POST /api/v1/rowdata 403 `, `key="all-alarms"`,
		`access POST /api/v1/rowdata 429 `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the access log has no %q:\n%s", want, text)
		}
	}
	for _, s := range secrets {
		for _, part := range append(strings.Split(s, "."), s) {
			if len(part) >= 8 && strings.Contains(text, part) {
				t.Fatalf("the log shows a token, a key or the secret:\n%s", text)
			}
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
