package app

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"testing"
	"unsafe"

	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gogf/gf/v2/os/gcache"
)

// TestRouteCacheIsBounded: a server given a bounded router cache remembers at most that many
// paths however many distinct ones it is asked, and still routes every one right, including paths
// it has forgotten, and after the cache is emptied (as a quiet node does). It also fails when a
// GoFrame upgrade moves the field boundRouteCache replaces.
func TestRouteCacheIsBounded(t *testing.T) {
	const size = 8
	s := ghttp.GetServer(t.Name())
	bounded, err := boundRouteCache(s, size)
	if err != nil {
		t.Fatal(err)
	}
	s.BindHandler("POST:/alarms/{alarmId}/ack", func(r *ghttp.Request) { r.Response.Write("acked " + r.Get("alarmId").String()) })
	s.SetAddr("127.0.0.1:0")
	s.SetDumpRouterMap(false)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown() })
	base := fmt.Sprintf("http://127.0.0.1:%d", s.GetListenedPort())

	post := func(id string) {
		t.Helper()
		resp, err := http.Post(base+"/alarms/"+id+"/ack", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(body) != "acked "+id {
			t.Fatalf("POST /alarms/%s/ack answered %d %q", id, resp.StatusCode, body)
		}
	}
	for i := range 10 * size {
		post(fmt.Sprintf("a-%d", i))
	}
	post("a-0") // forgotten long ago: found again

	cache := serveCache(t, s)
	if n, err := cache.Size(t.Context()); err != nil || n > size {
		t.Fatalf("the router cache holds %d paths after %d distinct ones (err %v), want at most %d", n, 10*size+1, err, size)
	}
	if cache != bounded {
		t.Fatal("boundRouteCache returned another cache than the one the server uses")
	}
	if err := bounded.Clear(t.Context()); err != nil {
		t.Fatal(err)
	}
	post("a-1")
}

// serveCache reads the server's router cache, as boundRouteCache writes it.
func serveCache(t *testing.T, s *ghttp.Server) *gcache.Cache {
	f := reflect.ValueOf(s).Elem().FieldByName("serveCache")
	if !f.IsValid() {
		t.Fatal("ghttp.Server has no serveCache")
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(*gcache.Cache)
}
