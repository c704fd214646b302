package middleware

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/frame/g"
)

type pingReq struct {
	g.Meta `path:"/ping/{id}" method:"post"`
	Id     string `json:"id" in:"path"`
}

type listReq struct {
	g.Meta `path:"/items" method:"get"`
	Status string `json:"status" in:"query"`
	Limit  int    `json:"limit" in:"query"`
}

// TestGuardAnswersPanicsAsJSON: whatever panics behind the guard, the client gets
// 500 {code,message} saying "internal error", never the panic's text.
func TestGuardAnswersPanicsAsJSON(t *testing.T) {
	guard := NewGuard(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internals at 10.0.0.7:5432")
	}), GuardOptions{Prefix: "/api/v1", Requests: []any{&pingReq{}}, MaxBodySize: 1024})
	srv := httptest.NewServer(guard)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/api/v1/ping/7", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env Envelope
	if resp.StatusCode != 500 || json.Unmarshal(raw, &env) != nil || env.Code != 50 || env.Message != "internal error" {
		t.Fatalf("got %d %s", resp.StatusCode, raw)
	}
}

func TestCheckJSONContentType(t *testing.T) {
	for header, ok := range map[string]bool{
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"Application/JSON; Charset=UTF-8":   true,
		"application/json; charset=latin1":  false,
		"application/json-seq":              false,
		"text/plain":                        false,
		"application/x-www-form-urlencoded": false,
		"multipart/form-data; boundary=x":   false,
		"":                                  false,
		";;;":                               false,
	} {
		if err := checkJSONContentType(header); (err == nil) != ok {
			t.Errorf("%q: %v, want accepted=%v", header, err, ok)
		}
	}
}

func TestRouteFromMeta(t *testing.T) {
	ping, list := newRoute("/api/v1", &pingReq{}), newRoute("/api/v1", &listReq{})
	if ping.method != "POST" || !ping.matches(split("/api/v1/ping/7")) || ping.matches(split("/api/v1/ping//")) ||
		ping.matches(split("/api/v1/ping")) || ping.matches(split("/api/v1/ping/7/8")) {
		t.Errorf("ping route %+v", ping)
	}
	if list.method != "GET" || !list.takes("status") || !list.takes("limit") || list.takes("Status") || list.takes("user") {
		t.Errorf("list route %+v", list)
	}
}
