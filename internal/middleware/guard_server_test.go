package middleware_test

import (
	"bufio"
	"bytes"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestOnlyJSONBodies: a POST body that is not application/json is refused with 415 before it is
// read (so no form post from another site can write), and nothing is stored or delivered.
func TestOnlyJSONBodies(t *testing.T) {
	n := pulsenode.Start(t, nil)
	console := n.Dial("/ws/alarm")
	alarm := []byte(`{"businessType":"meter","businessId":"cross-site"}`)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("businessId", "cross-site")
	_ = mw.Close()
	cases := []struct {
		contentType string
		body        []byte
	}{
		{"text/plain", alarm},
		{"text/plain;charset=UTF-8", alarm},
		{"application/x-www-form-urlencoded", []byte("businessId=cross-site")},
		{mw.FormDataContentType(), form.Bytes()},
		{"", alarm},
		{"application/json; charset=latin1", alarm},
		{"application/jsonx", alarm},
		{"not a media type;;", alarm},
	}
	for _, path := range []string{"/api/v1/alarm", "/api/v1/rowdata", "/api/v1/alarms/any/ack", "/api/v1/alarms/any/clear"} {
		for _, tc := range cases {
			status, env, _, _ := n.Request(http.MethodPost, path, tc.contentType, tc.body, nil)
			if status != http.StatusUnsupportedMediaType || env.Code == 0 || !strings.Contains(env.Message, "application/json") {
				t.Errorf("POST %s as %q: %d %+v, want 415 naming application/json", path, tc.contentType, status, env)
			}
		}
	}
	if s, env, _, _ := n.Request(http.MethodPost, "/api/v1/alarm", "application/json; charset=utf-8", []byte(`{"businessType":"meter","businessId":"json"}`), nil); s != 200 {
		t.Fatalf("JSON with a UTF-8 charset: %d %+v", s, env)
	}
	if o := console.Next(pulsenode.Patience); !strings.Contains(string(o.Data), `"json"`) {
		t.Fatalf("the console got %s before the JSON alarm: a refused body was stored", o.Raw)
	}
	if c := n.AlarmCount(); c != 1 {
		t.Fatalf("%d alarms stored, want only the JSON one", c)
	}
}

// TestRefusedBeforeTheBody: the 415 and 413 answers come from the headers alone; a server that
// read the body first would wait for a megabyte that never comes.
func TestRefusedBeforeTheBody(t *testing.T) {
	n := pulsenode.Start(t, nil)
	for _, tc := range []struct {
		contentType string
		length      int
		status      string
	}{
		{"text/plain", 1 << 20, "415"},
		{"application/json", 2 << 20, "413"},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(n.Base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "POST /api/v1/rowdata HTTP/1.1\r\nHost: pulse\r\nContent-Type: "+tc.contentType+
			"\r\nContent-Length: "+strconv.Itoa(tc.length)+"\r\n\r\n{")
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // bounds a hang only
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 "+tc.status) {
			t.Errorf("%s body of %d bytes announced, none sent: got %q, %v; want %s at once", tc.contentType, tc.length, line, err, tc.status)
		}
	}
}

// TestOnlyDocumentedMethods: OPTIONS never runs a handler, whatever Access-Control-Request-Method
// says; it answers a CORS preflight for a listed origin only. Other methods are 405 with Allow.
// None of them stores, acknowledges or clears anything.
func TestOnlyDocumentedMethods(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.WS.AllowedOrigins = []string{"https://console.example"} })
	id := n.Raise(`{"alarmId":"keep","businessType":"meter","businessId":"m-1"}`)[0].AlarmId
	body := []byte(`{"businessId":"preflight","user":"mallory"}`)
	preflight := func(origin string) http.Header {
		h := http.Header{"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"}}
		if origin != "" {
			h.Set("Origin", origin)
		}
		return h
	}
	for _, path := range []string{"/api/v1/alarm", "/api/v1/rowdata", "/api/v1/alarms/" + id + "/ack", "/api/v1/alarms/" + id + "/clear"} {
		status, _, h, _ := n.Request(http.MethodOptions, path, "application/json", body, preflight("https://console.example"))
		if status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://console.example" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "content-type") {
			t.Errorf("preflight of %s from a listed origin: %d %v", path, status, h)
		}
		if status, env, _, _ := n.Request(http.MethodOptions, path, "application/json", body, preflight("https://evil.example")); status != http.StatusForbidden || env.Code == 0 {
			t.Errorf("preflight of %s from an unlisted origin: %d %+v, want 403", path, status, env)
		}
		if status, env, h, _ := n.Request(http.MethodOptions, path, "application/json", body, preflight("")); status != http.StatusMethodNotAllowed || env.Code == 0 || h.Get("Allow") != "POST" {
			t.Errorf("OPTIONS %s without an origin: %d %+v Allow %q, want 405 Allow POST", path, status, env, h.Get("Allow"))
		}
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodGet} {
			if status, env, h, _ := n.Request(m, path, "application/json", body, nil); status != http.StatusMethodNotAllowed || env.Code == 0 || h.Get("Allow") != "POST" {
				t.Errorf("%s %s: %d %+v Allow %q, want 405 Allow POST", m, path, status, env, h.Get("Allow"))
			}
		}
	}
	if status, _, h, _ := n.Request(http.MethodGet, "/api/v1/alarms", "", nil, http.Header{"Origin": {"https://console.example"}}); status != 200 || h.Get("Access-Control-Allow-Origin") != "https://console.example" {
		t.Errorf("GET from a listed origin: %d, Access-Control-Allow-Origin %q", status, h.Get("Access-Control-Allow-Origin"))
	}
	if status, _, h, _ := n.Request(http.MethodGet, "/api/v1/alarms", "", nil, http.Header{"Origin": {"https://evil.example"}}); status != 200 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET from an unlisted origin: %d, Access-Control-Allow-Origin %q", status, h.Get("Access-Control-Allow-Origin"))
	}
	if status, env, _, _ := n.Request(http.MethodPost, "/healthz", "application/json", body, nil); status != http.StatusMethodNotAllowed || env.Code == 0 {
		t.Errorf("POST /healthz: %d %+v", status, env)
	}
	if c := n.AlarmCount(); c != 1 {
		t.Fatalf("%d alarms stored, want 1: a refused method stored one", c)
	}
	_, env := n.Get("/api/v1/alarms", nil)
	if !strings.Contains(string(env.Data), `"status":"active"`) {
		t.Fatalf("the alarm changed state: %s", env.Data)
	}
}

// TestNoInternalErrorsForClientInput: inputs that used to be answered 500 (with Go's messages)
// get a 4xx {code,message} without stack, file names or socket addresses.
func TestNoInternalErrorsForClientInput(t *testing.T) {
	n := pulsenode.Start(t, nil)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("a", "b")
	_ = mw.Close()
	cases := []struct {
		method, path, contentType, body string
		status                          int
	}{
		{"POST", "/api/v1/alarm", "application/json", "   \n\t ", 400},
		{"POST", "/api/v1/rowdata", "application/json", " ", 400},
		{"POST", "/api/v1/alarm", mw.FormDataContentType(), form.String(), 415},
		{"GET", "/api/v1/alarms?status=%zz", "", "", 400},
		{"GET", "/api/v1/alarms?%zz=1", "", "", 400},
		{"GET", "/api/v1/alarms?status=bogus", "", "", 400},
		{"GET", "/api/v1/alarms?limit=abc", "", "", 400},
		{"GET", "/api/v1/alarms?limit=1&limit=2", "", "", 400},
		{"GET", "/api/v1/alarms?user=x", "", "", 400},
		{"GET", "/api/v1/alarms?" + strings.Repeat("k", 13000) + "=1", "", "", 400},
		{"POST", "/api/v1/alarm?x=%zz", "application/json", `{"businessType":"meter","businessId":"q"}`, 400},
		{"POST", "/api/v1/alarm", "application/json", `{aaa=1}`, 400},
		{"POST", "/api/v1/alarm", "application/json", strings.Repeat("a", 300<<10) + "=1", 400},
		{"POST", "/api/v1/alarm", "application/json", "[" + strings.Repeat("[", 100000), 400},
		{"GET", "/healthz?%zz", "", "", 200},
	}
	for _, tc := range cases {
		status, env, _, raw := n.Request(tc.method, tc.path, tc.contentType, []byte(tc.body), nil)
		if status != tc.status || (status != 200 && env.Code == 0) {
			t.Errorf("%s %.60s %.40q: %d %+v, want %d", tc.method, tc.path, tc.body, status, env, tc.status)
		}
		for _, leak := range []string{"goroutine", "panic", ".go:", "127.0.0.1", "runtime", "Go struct"} {
			if strings.Contains(raw, leak) {
				t.Errorf("%s %.60s: the answer shows internals (%q): %.200s", tc.method, tc.path, leak, raw)
			}
		}
	}
	if c := n.AlarmCount(); c != 0 {
		t.Fatalf("%d alarms stored from refused requests", c)
	}
}

// TestAckInput: the alarm id comes from the path only, the user from the body's "user" string
// only, with the same rule as every name (1 to 128 bytes of UTF-8 without control characters).
func TestAckInput(t *testing.T) {
	n := pulsenode.Start(t, nil)
	n.Raise(`{"alarmId":"deep","businessType":"meter","businessId":"m-1"}`)
	cjk := strings.Repeat("警", 43) // 129 bytes
	cases := []struct {
		path, body string
		status     int
		mention    string
	}{
		{"/api/v1/alarms/doesnotexist/ack", `{"alarmId":"deep","user":"alice"}`, 400, "alarmId"},
		{"/api/v1/alarms/doesnotexist/ack", `{"user":"alice"}`, 404, "doesnotexist"},
		{"/api/v1/alarms/deep/ack?user=alice", ``, 400, "query"},
		{"/api/v1/alarms/deep/ack", `{"user":{"a":1}}`, 400, "user"},
		{"/api/v1/alarms/deep/ack", `{"user":12345}`, 400, "user"},
		{"/api/v1/alarms/deep/ack", `{"user":"` + cjk + `"}`, 400, "128 bytes"},
		{"/api/v1/alarms/deep/ack", `{"user":"al\u0007ice"}`, 400, "control"},
		{"/api/v1/alarms/deep/ack", `{"user":""}`, 400, "user"},
		{"/api/v1/alarms/deep/ack", ``, 400, "user"},
		{"/api/v1/alarms/deep/ack", `{"user":"alice"} {}`, 400, "body"},
		{"/api/v1/alarms/deep/clear", `{"alarmId":"deep"}`, 400, "alarmId"},
	}
	for _, tc := range cases {
		status, env := n.Post(tc.path, tc.body)
		if status != tc.status || env.Code == 0 || !strings.Contains(env.Message, tc.mention) {
			t.Errorf("POST %s %.60q: %d %+v, want %d mentioning %q", tc.path, tc.body, status, env, tc.status, tc.mention)
		}
	}
	_, env := n.Get("/api/v1/alarms", nil)
	if !strings.Contains(string(env.Data), `"status":"active"`) {
		t.Fatalf("a refused ack changed the alarm: %s", env.Data)
	}
	name := strings.Repeat("警", 42) // 126 bytes
	env = n.MustPost("/api/v1/alarms/deep/ack", `{"user":"`+name+`"}`)
	if !strings.Contains(string(env.Data), `"ackedBy":"`+name+`"`) {
		t.Fatalf("ack by a 126-byte name: %s", env.Data)
	}
}

// TestTrickledHeadersAreDropped: a client that sends its request headers a byte at a time is
// disconnected once server.readTimeout (10s by default) has passed, not left to hold the
// connection. The loop bounds a hang; the old default (60s) fails it.
func TestTrickledHeadersAreDropped(t *testing.T) {
	t.Parallel()
	n := pulsenode.Start(t, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.Base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "GET /healthz HTTP/1.1\r\nHost: pulse\r\nX-Slow: " + strings.Repeat("a", 1000)
	for i := 0; ; i++ {
		if i == 50 {
			t.Fatal("the server kept reading trickled headers for 25s")
		}
		if _, err := conn.Write([]byte{head[i]}); err != nil {
			return // dropped
		}
		_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if n, err := conn.Read(make([]byte, 1)); n > 0 || (err != nil && !isTimeout(err)) {
			break // answered (net/http says 408) or dropped
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	rest, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("the connection was not closed after the timeout: %v (read %q)", err, rest)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
