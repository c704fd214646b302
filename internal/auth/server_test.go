package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestDoorTokens: tokens of every configured algorithm open both endpoints, in the header or
// (browsers) the query; every bad token is refused 401 with WWW-Authenticate before the upgrade,
// on the door and on the alarm API alike; good tokens that do not cover the request get 403.
func TestDoorTokens(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	s := pulsenode.Signers()
	g := pulsenode.Grants{RowData: []string{"meter/*", "pump/p-7"}, Alarms: []string{"*"}}
	for alg, tok := range map[string]string{
		"HS256": pulsenode.Token(t, "alice", g),
		"HS512": pulsenode.Sign(t, jwt.SigningMethodHS512, []byte(pulsenode.AuthSecret), pulsenode.Claims("alice", g)),
		"RS256": pulsenode.Sign(t, jwt.SigningMethodRS256, s.RSA, pulsenode.Claims("alice", g)),
		"ES256": pulsenode.Sign(t, jwt.SigningMethodES256, s.ECDSA, pulsenode.Claims("alice", g)),
		"EdDSA": pulsenode.Sign(t, jwt.SigningMethodEdDSA, s.Ed25519, pulsenode.Claims("alice", g)),
	} {
		n.DialWith("/ws/rowdata/meter/m-1/alice", pulsenode.Bearer(tok)).WS.Close()
		n.DialWith("/ws/rowdata/meter/m-1/alice?access_token="+tok, nil).WS.Close()
		n.DialWith("/ws/alarm?access_token="+tok, nil).WS.Close()
		n.DialWith("/ws/alarm", pulsenode.Bearer(tok)).WS.Close()
		if status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(tok), ""); status != 200 {
			t.Errorf("%s: GET /api/v1/alarms: %d %+v", alg, status, env)
		}
	}

	good := pulsenode.Token(t, "alice", g)
	parts := strings.Split(good, ".")
	wider, _ := json.Marshal(pulsenode.Claims("alice", pulsenode.Grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true}))
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"missing":       "",
		"malformed":     "not-a-jwt",
		"tampered":      parts[0] + "." + base64.RawURLEncoding.EncodeToString(wider) + "." + parts[2],
		"bad signature": parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("forged signature bytes")),
		"expired":       pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
		"not yet valid": pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }),
		"no exp":        pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { delete(c, "exp") }),
		"wrong iss":     pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["iss"] = "someone-else" }),
		"wrong aud":     pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["aud"] = "other-service" }),
		"alg none":      pulsenode.Sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, pulsenode.Claims("alice", g)),
		"HS256 with the RSA public key": pulsenode.Sign(t, jwt.SigningMethodHS256, []byte(pulsenode.PublicPEM(t, &s.RSA.PublicKey)),
			pulsenode.Claims("alice", g)),
		"unknown RSA key": pulsenode.Sign(t, jwt.SigningMethodRS256, otherRSA, pulsenode.Claims("alice", g)),
	} {
		header := http.Header{}
		if tok != "" {
			header = pulsenode.Bearer(tok)
		}
		for _, path := range []string{"/ws/rowdata/meter/m-1/alice", "/ws/alarm"} {
			status, env, h := n.Refused(path, header)
			if status != http.StatusUnauthorized || env.Code != 61 || h.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s on %s: %d %+v (WWW-Authenticate %q), want 401 code 61 with WWW-Authenticate: Bearer",
					name, path, status, env, h.Get("WWW-Authenticate"))
			}
			if tok != "" && strings.Contains(env.Message, tok) {
				t.Errorf("%s: the answer quotes the token", name)
			}
		}
		if tok != "" { // the same in the query
			if status, _, _ := n.Refused("/ws/alarm?access_token="+tok, nil); status != http.StatusUnauthorized {
				t.Errorf("%s in access_token: %d, want 401", name, status)
			}
		}
		status, env, h := n.Call(http.MethodGet, "/api/v1/alarms", header, "")
		if status != http.StatusUnauthorized || env.Code != 61 || h.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%s on GET /api/v1/alarms: %d %+v", name, status, env)
		}
	}
	// The API takes a token in the header only: a token in a URL ends up in logs.
	if status, _, _ := n.Call(http.MethodGet, "/api/v1/alarms?access_token="+good, nil, ""); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/alarms?access_token=: %d, want 401", status)
	}

	// Valid tokens that do not cover the request: 403, code 1403.
	for _, tc := range []struct {
		name, path string
		g          pulsenode.Grants
	}{
		{"userName is not sub", "/ws/rowdata/meter/m-1/bob", g},
		{"(T, I) not covered", "/ws/rowdata/pump/p-8/alice", g},
		{"(T, *) needs T/*", "/ws/rowdata/pump/*/alice", g},
		{"no pulse claim", "/ws/rowdata/meter/m-1/alice", pulsenode.Grants{}},
		{"no alarms patterns", "/ws/alarm", pulsenode.Grants{RowData: []string{"*"}}},
	} {
		status, env, _ := n.Refused(tc.path, pulsenode.Bearer(pulsenode.Token(t, "alice", tc.g)))
		if status != http.StatusForbidden || env.Code != 1403 {
			t.Errorf("%s: %d %+v, want 403 code 1403", tc.name, status, env)
		}
	}
	// What the patterns do cover.
	for _, path := range []string{"/ws/rowdata/meter/*/alice", "/ws/rowdata/pump/p-7/alice"} {
		n.DialWith(path, pulsenode.Bearer(pulsenode.Token(t, "alice", g))).WS.Close()
	}
	everything := pulsenode.Token(t, "alice", pulsenode.Grants{RowData: []string{"*"}})
	for _, path := range []string{"/ws/rowdata/any/thing/alice", "/ws/rowdata/any/*/alice"} {
		n.DialWith(path, pulsenode.Bearer(everything)).WS.Close()
	}
}

// TestAlarmScoping: a console receives, replays and lists only the alarms its patterns cover, and
// acknowledges or clears only those, with "ack" in its token, as its token's sub; the others look
// absent (404), with or without "ack".
func TestAlarmScoping(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	meter := pulsenode.Grants{Alarms: []string{"meter/*", "end/x"}, Ack: true}
	pump7 := pulsenode.Grants{Alarms: []string{"pump/p-7", "end/x"}, Ack: true}
	all := pulsenode.Grants{Alarms: []string{"*"}}
	consoles := map[string]*pulsenode.Client{
		"meter": n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "maria", meter))),
		"pump7": n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "pat", pump7))),
		"all":   n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "ann", all))),
	}
	pulsenode.RaiseAs(t, n, "all-alarms", "a-m1", "meter", "m-1")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-p7", "pump", "p-7")
	pulsenode.RaiseAs(t, n, "all-alarms", "a-p8", "pump", "p-8")
	pulsenode.RaiseAs(t, n, "all-alarms", "end", "end", "x")
	want := map[string]string{
		"meter": "a-m1:raised",
		"pump7": "a-p7:raised",
		"all":   "a-m1:raised a-p7:raised a-p8:raised",
	}
	for who, c := range consoles {
		if got := strings.Join(c.AlarmsUntilEnd(), " "); got != want[who] {
			t.Errorf("live, %s received %s, want %s", who, got, want[who])
		}
	}

	// Replay (resume from 0, and the current state) and the list: the same scope.
	for _, path := range []string{"/ws/alarm?since=0", "/ws/alarm"} {
		c := n.DialWith(path, pulsenode.Bearer(pulsenode.Token(t, "maria", meter)))
		if got := pulsenode.IDsOf(c.Replayed); !slices.Equal(got, []string{"a-m1", "end"}) {
			t.Errorf("%s replayed %v, want [a-m1 end]", path, got)
		}
	}
	status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(pulsenode.Token(t, "pat", pump7)), "")
	var list struct{ Items []struct{ AlarmId string } }
	_ = json.Unmarshal(env.Data, &list)
	if status != 200 || len(list.Items) != 2 || list.Items[0].AlarmId != "end" || list.Items[1].AlarmId != "a-p7" {
		t.Errorf("GET /api/v1/alarms as pump/p-7: %d %s, want end and a-p7", status, env.Data)
	}
	if status, env, _ := n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(pulsenode.Token(t, "pat", pulsenode.Grants{RowData: []string{"*"}})), ""); status != 403 || env.Code != 1403 {
		t.Errorf("GET /api/v1/alarms with no alarms patterns: %d %+v, want 403 code 1403", status, env)
	}
	status, env, _ = n.Call(http.MethodGet, "/api/v1/alarms?limit=1", pulsenode.Bearer(pulsenode.Token(t, "pat", pump7)), "")
	if _ = json.Unmarshal(env.Data, &list); status != 200 || len(list.Items) != 1 {
		t.Errorf("GET /api/v1/alarms?limit=1: %d %s, want one alarm", status, env.Data)
	}

	// Acknowledging and clearing: the flag, the scope, and ackedBy from the token.
	for _, tc := range []struct {
		name, path string
		g          pulsenode.Grants
		status     int
	}{
		{"ack without the flag", "/api/v1/alarms/a-m1/ack", pulsenode.Grants{Alarms: []string{"*"}}, 403},
		{"clear without the flag", "/api/v1/alarms/a-m1/clear", pulsenode.Grants{Alarms: []string{"*"}}, 403},
		{"ack without the flag, in full", "/api/v1/alarms/meter/m-1/a-m1/ack", pulsenode.Grants{Alarms: []string{"*"}}, 403},
		{"ack outside the scope", "/api/v1/alarms/a-m1/ack", pump7, 404},
		{"clear outside the scope", "/api/v1/alarms/a-p8/clear", pump7, 404},
		{"clear outside the scope, in full", "/api/v1/alarms/pump/p-8/a-p8/clear", pump7, 404},
		{"ack outside the scope, without the flag", "/api/v1/alarms/a-p8/ack", pulsenode.Grants{Alarms: []string{"meter/*"}}, 404},
		{"ack of an unknown alarm", "/api/v1/alarms/nope/ack", pump7, 404},
	} {
		status, env, _ := n.Call(http.MethodPost, tc.path, pulsenode.Bearer(pulsenode.Token(t, "pat", tc.g)), `{}`)
		if status != tc.status || (status == 403 && env.Code != 1403) {
			t.Errorf("%s: %d %+v, want %d", tc.name, status, env, tc.status)
		}
	}
	// The body's user is not who acknowledges: the token's sub is.
	status, env, _ = n.Call(http.MethodPost, "/api/v1/alarms/a-p7/ack", pulsenode.Bearer(pulsenode.Token(t, "pat", pump7)), `{"user":"mallory"}`)
	var acked struct{ AckedBy, Status string }
	if _ = json.Unmarshal(env.Data, &acked); status != 200 || acked.AckedBy != "pat" || acked.Status != "acked" {
		t.Errorf("ack as pat with user mallory: %d %s, want acked by pat", status, env.Data)
	}
	// Over a console's socket: out of scope absent, in scope acknowledged as the sub.
	consoles["meter"].Send(`{"type":"ack","alarmId":"a-p8"}`)
	if o := consoles["meter"].Next(pulsenode.Patience); o.Type != "error" || o.Code != 65 || o.Message != `alarm "a-p8" not found` {
		t.Errorf("console ack outside the scope: %s, want the error of an unknown alarm", o.Raw)
	}
	consoles["meter"].Send(`{"type":"ack","alarmId":"a-m1","user":"mallory"}`)
	if o := consoles["meter"].Next(pulsenode.Patience); o.Event != "acked" || !strings.Contains(string(o.Data), `"ackedBy":"maria"`) {
		t.Errorf("console ack: the console saw %s, want a-m1 acked by maria", o.Raw)
	}
	pulsenode.RaiseAs(t, n, "all-alarms", "end", "end", "x")
	if got := strings.Join(consoles["all"].AlarmsUntilEnd(), " "); got != "a-p7:ackedpat a-m1:ackedmaria" {
		t.Errorf("the console of everything saw %s, want a-p7 acked by pat, a-m1 by maria", got)
	}
	noAck := n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "ann", all)))
	noAck.Send(`{"type":"ack","alarmId":"a-p8"}`)
	if o := noAck.Next(pulsenode.Patience); o.Type != "error" || o.Code != 1403 {
		t.Errorf("console ack without the flag: %s, want an error with code 1403", o.Raw)
	}
}

// TestIngestKeys: ingest needs a key; a key publishes only its kinds and businesses, a batch with
// one item it does not cover is refused whole and delivers nothing, and a key over its rate gets
// 429 with Retry-After.
func TestIngestKeys(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	dash := n.DialWith("/ws/rowdata/meter/m-1/dora", pulsenode.Bearer(pulsenode.Token(t, "dora", pulsenode.Grants{RowData: []string{"*"}})))
	row := func(typ, id string, v int) string {
		return `{"businessType":"` + typ + `","businessId":"` + id + `","data":{"i":` + strconv.Itoa(v) + `}}`
	}
	key := func(name string) http.Header { return http.Header{"X-Api-Key": {pulsenode.IngestKey(name)}} }
	for _, tc := range []struct {
		name, path string
		header     http.Header
		body       string
		status     int
		code       int
	}{
		{"no key", "/api/v1/rowdata", nil, row("meter", "m-1", 900), 401, 61},
		{"unknown key", "/api/v1/rowdata", pulsenode.Bearer("not-a-configured-key"), row("meter", "m-1", 901), 401, 61},
		{"a user's token is not a key", "/api/v1/rowdata", pulsenode.Bearer(pulsenode.Token(t, "dora", pulsenode.Grants{RowData: []string{"*"}})), row("meter", "m-1", 902), 401, 61},
		{"kind not allowed", "/api/v1/alarm", key("meter-rows"), `{"businessType":"meter","businessId":"m-1","title":"t"}`, 403, 1403},
		{"kind not allowed", "/api/v1/rowdata", key("all-alarms"), row("meter", "m-1", 903), 403, 1403},
		{"business not covered", "/api/v1/rowdata", key("meter-rows"), row("pump", "p-1", 904), 403, 1403},
		{"mixed batch", "/api/v1/rowdata", key("meter-rows"), `{"items":[` + row("meter", "m-1", 905) + `,` + row("pump", "p-1", 906) + `]}`, 403, 1403},
		{"broadcast needs *", "/api/v1/rowdata", key("meter-rows"), row("", "", 907), 403, 1403},
	} {
		status, env, h := n.Call(http.MethodPost, tc.path, tc.header, tc.body)
		if status != tc.status || env.Code != tc.code {
			t.Errorf("%s: %d %+v, want %d code %d", tc.name, status, env, tc.status, tc.code)
		}
		if status == 401 && h.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%s: 401 without WWW-Authenticate: Bearer", tc.name)
		}
	}
	// Accepted, with either header; a broadcast with "*". The dashboard's first row is the first
	// accepted one: nothing of the refused requests was delivered.
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", pulsenode.Bearer(pulsenode.IngestKey("meter-rows")), row("meter", "m-1", 1)); status != 200 {
		t.Fatalf("meter-rows, Bearer: %d %+v", status, env)
	}
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", key("meter-rows"), row("meter", "m-1", 2)); status != 200 {
		t.Fatalf("meter-rows, X-API-Key: %d %+v", status, env)
	}
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", key("broadcaster"), row("", "", 3)); status != 200 {
		t.Fatalf("broadcaster: %d %+v", status, env)
	}
	for _, want := range []int{1, 2, 3} {
		if got := pulsenode.RowValue(dash.Next(pulsenode.Patience)); got != want {
			t.Fatalf("the dashboard received i=%d, want %d (a refused request was delivered?)", got, want)
		}
	}

	// rate 0.5/s, burst 1: the second request within two seconds is refused.
	var retryAfter string
	for i := 0; i < 10 && retryAfter == ""; i++ {
		status, env, h := n.Call(http.MethodPost, "/api/v1/rowdata", key("slow-meter-1"), row("meter", "m-1", 10+i))
		switch status {
		case 200:
		case 429:
			if env.Code != 1429 || strings.Contains(env.Message, pulsenode.IngestKey("slow-meter-1")) || !strings.Contains(env.Message, "slow-meter-1") {
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
func authReply(t *testing.T, o pulsenode.Object) int64 {
	t.Helper()
	var r struct {
		Type string
		Exp  int64
	}
	if json.Unmarshal(o.Raw, &r) != nil || r.Type != "auth" {
		t.Fatalf("got %s, want {\"type\":\"auth\",\"exp\":...}", o.Raw)
	}
	return r.Exp
}

// TestTokenRefresh: a connection whose token reaches exp is closed with 4401, not before; one that
// refreshed in time stays open; a refresh of another sub, expired, or not covering the
// subscription is refused with an error and changes nothing; a console's new patterns apply
// from then on.
func TestTokenRefresh(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	g := pulsenode.Grants{RowData: []string{"meter/*"}, Alarms: []string{"*"}}
	exp := time.Now().Add(3 * time.Second).Truncate(time.Second)
	short := pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = exp.Unix() })
	kept := n.DialWith("/ws/rowdata/meter/m-1/alice", pulsenode.Bearer(short))
	lapsed := n.DialWith("/ws/rowdata/meter/m-1/alice", pulsenode.Bearer(short))

	later := time.Now().Add(time.Hour).Unix()
	kept.Send(`{"type":"auth","token":"` + pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = later }) + `"}`)
	if got := authReply(t, kept.Next(pulsenode.Patience)); got != later {
		t.Errorf("refresh answered exp %d, want %d", got, later)
	}
	for _, tc := range []struct {
		name, message string
		code          int
	}{
		{"another sub", `{"type":"auth","token":"` + pulsenode.Token(t, "bob", g) + `"}`, 1403},
		{"expired", `{"type":"auth","token":"` + pulsenode.Token(t, "alice", g, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }) + `"}`, 61},
		{"not covering the subscription", `{"type":"auth","token":"` + pulsenode.Token(t, "alice", pulsenode.Grants{RowData: []string{"pump/*"}}) + `"}`, 1403},
		{"no token", `{"type":"auth"}`, 51},
		{"tampered", `{"type":"auth","token":"` + short[:len(short)-6] + `"}`, 61},
	} {
		kept.Send(tc.message)
		if o := kept.Next(pulsenode.Patience); o.Type != "error" || o.Code != tc.code {
			t.Errorf("refresh with %s: %s, want an error with code %d", tc.name, o.Raw, tc.code)
		}
	}

	if code := lapsed.CloseCode(pulsenode.Patience); code != 4401 {
		t.Errorf("the connection that did not refresh closed with %d, want 4401", code)
	}
	if now := time.Now(); now.Before(exp) {
		t.Errorf("closed %v before exp", exp.Sub(now))
	}
	// Both had the same deadline, and it has passed: the refreshed one is still open.
	kept.Send(`{"type":"ping"}`)
	if o := kept.Next(pulsenode.Patience); o.Type != "pong" {
		t.Errorf("the refreshed connection: got %s, want a pong", o.Raw)
	}

	// A console's refreshed patterns decide what it receives next.
	console := n.DialWith("/ws/alarm", pulsenode.Bearer(pulsenode.Token(t, "alice", g)))
	console.Send(`{"type":"auth","token":"` + pulsenode.Token(t, "alice", pulsenode.Grants{Alarms: []string{"pump/*", "end/x"}}) + `"}`)
	authReply(t, console.Next(pulsenode.Patience))
	pulsenode.RaiseAs(t, n, "all-alarms", "m-after", "meter", "m-1")
	pulsenode.RaiseAs(t, n, "all-alarms", "p-after", "pump", "p-1")
	pulsenode.RaiseAs(t, n, "all-alarms", "end", "end", "x")
	if got := strings.Join(console.AlarmsUntilEnd(), " "); got != "p-after:raised" {
		t.Errorf("after narrowing to pump/*, the console received %s, want p-after only", got)
	}
}

// TestNoCredentialInTheLog: with the access logs on (Pulse's log.access and GoFrame's), good and
// bad tokens and keys at the door, on the API and in refreshes leave no trace of themselves in any
// log, while Pulse's access log shows each request and upgrade with its status and ingest key.
func TestNoCredentialInTheLog(t *testing.T) {
	logged := captureLog(t) // before the node starts, so that it is reset after the node stopped
	accessLog := func(c *config.Config) { pulsenode.WithAuth(t)(c); c.Log.Access = true }
	n := pulsenode.StartWith(t, accessLog, func(a *app.App) {
		a.Server.SetAccessLogEnabled(true)
		a.Server.SetErrorLogEnabled(true)
		a.Server.Logger().SetWriter(logged)
		a.Server.Logger().SetStdoutPrint(false)
	})
	n.Credentials = false

	good := pulsenode.Token(t, "alice", pulsenode.Grants{RowData: []string{"*"}, Alarms: []string{"*"}, Ack: true})
	bad := good[:len(good)-6] + "AAAAAA"
	secrets := []string{good, bad, pulsenode.AuthSecret}
	for name := range pulsenode.IngestKeys {
		secrets = append(secrets, pulsenode.IngestKey(name))
	}
	n.DialWith("/ws/rowdata/meter/m-1/alice?access_token="+good, nil).WS.Close()
	n.Refused("/ws/rowdata/meter/m-1/alice?access_token="+bad, nil)
	c := n.DialWith("/ws/alarm", pulsenode.Bearer(good))
	c.Send(`{"type":"auth","token":"` + bad + `"}`)
	c.Next(pulsenode.Patience)
	for _, tok := range []string{good, bad} {
		n.Call(http.MethodGet, "/api/v1/alarms", pulsenode.Bearer(tok), "")
		n.Call(http.MethodGet, "/api/v1/alarms?access_token="+tok, nil, "")
		n.Call(http.MethodPost, "/api/v1/alarms/a-1/ack", pulsenode.Bearer(tok), `{}`)
	}
	for name := range pulsenode.IngestKeys {
		for range 3 { // the slow key's third is a 429
			n.Call(http.MethodPost, "/api/v1/rowdata", http.Header{"X-Api-Key": {pulsenode.IngestKey(name)}}, `{"businessType":"meter","businessId":"m-1","data":{}}`)
		}
	}
	n.Call(http.MethodPost, "/api/v1/rowdata", pulsenode.Bearer("not-a-key-"+pulsenode.AuthSecret), `{"businessType":"meter","businessId":"m-1","data":{}}`)

	var text string
	poll.Eventually(t, func() bool {
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
