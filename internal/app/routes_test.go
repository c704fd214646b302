package app

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gogf/gf/v2/util/gmeta"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// TestRoutesAgree: every route GoFrame bound under /api/v1 is one the guard lets through (asked
// with its method, it is not answered "no such endpoint") and one the API's description
// completes, and every route those know is bound: the guard and GoFrame cannot disagree, whatever
// drives them.
func TestRoutesAgree(t *testing.T) {
	cfg := config.Default()
	cfg.Database = gdb.ConfigNode{Link: "sqlite::@file(" + t.TempDir() + "/pulse.db)"}
	a, err := New(context.Background(), "routes-test", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	a.Server.SetDumpRouterMap(false)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })

	var bound []string
	for _, r := range a.Server.GetRoutes() {
		if strings.HasPrefix(r.Route, apiPrefix+"/") && (r.Type == ghttp.HandlerTypeHandler || r.Type == ghttp.HandlerTypeObject) {
			bound = append(bound, strings.ToUpper(r.Method)+" "+r.Route)
		}
	}
	var known []string
	for _, req := range a.apiDoc.routes {
		known = append(known, strings.ToUpper(gmeta.Get(req, "method").String())+" "+apiPrefix+gmeta.Get(req, "path").String())
	}
	slices.Sort(bound)
	bound = slices.Compact(bound)
	slices.Sort(known)
	if len(known) < 13 || !slices.Equal(bound, known) {
		t.Fatalf("GoFrame bound\n  %s\nthe guard and the description know\n  %s", strings.Join(bound, "\n  "), strings.Join(known, "\n  "))
	}

	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	base := "http://" + a.Addresses()[0]
	for _, route := range bound {
		method, path, _ := strings.Cut(route, " ")
		req, err := http.NewRequest(method, base+placeholder.ReplaceAllString(path, "x"), strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "no such endpoint") {
			t.Errorf("%s is bound but the guard answers %d %s", route, resp.StatusCode, body)
		}
	}
}
