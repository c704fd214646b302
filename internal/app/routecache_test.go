package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"
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

// TestRouteCacheAnswersAsGcache: the router's cache answers gcache's Adapter calls as gcache's own
// memory adapter does for entries that never expire, so that a GoFrame upgrade that calls more of
// it than GetOrSetFunc still gets what it expects; and it never holds more than its size.
func TestRouteCacheAnswersAsGcache(t *testing.T) {
	ctx := t.Context()
	c := gcache.NewWithAdapter(newRouteCache(3))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Set(ctx, "a", 1, time.Hour))
	if v, _ := c.Get(ctx, "a"); v.Int() != 1 {
		t.Fatalf("Get(a) = %v after Set(a, 1)", v)
	}
	if v, _ := c.Get(ctx, "missing"); v != nil {
		t.Fatalf("Get(missing) = %v, want nil", v)
	}
	if ok, _ := c.SetIfNotExist(ctx, "a", 2, 0); ok {
		t.Fatal("SetIfNotExist replaced a present key")
	}
	calls := 0
	search := func(context.Context) (any, error) { calls++; return "found", nil }
	for range 2 {
		if v, _ := c.GetOrSetFunc(ctx, "b", search, time.Hour); v.String() != "found" {
			t.Fatalf("GetOrSetFunc(b) = %v", v)
		}
	}
	if calls != 1 {
		t.Fatalf("the search ran %d times for one path asked twice, want once", calls)
	}
	if v, _ := c.GetOrSetFunc(ctx, "nothing", func(context.Context) (any, error) { return nil, nil }, 0); v != nil {
		t.Fatalf("GetOrSetFunc kept a nil result: %v", v)
	}
	if ok, _ := c.Contains(ctx, "nothing"); ok {
		t.Fatal("a nil result was stored")
	}
	if old, ok, _ := c.Update(ctx, "a", 3); !ok || old.Int() != 1 {
		t.Fatalf("Update(a) = %v, %v; want the old value 1", old, ok)
	}
	if d, _ := c.GetExpire(ctx, "a"); d != 0 {
		t.Fatalf("GetExpire(a) = %v, want 0 (never expires)", d)
	}
	if d, _ := c.GetExpire(ctx, "missing"); d != -1 {
		t.Fatalf("GetExpire(missing) = %v, want -1", d)
	}
	if last, _ := c.Remove(ctx, "a", "missing"); last.Int() != 3 {
		t.Fatalf("Remove(a, missing) = %v, want the last value removed, 3", last)
	}
	must(c.Set(ctx, "c", 1, -1)) // a negative duration removes
	if ok, _ := c.Contains(ctx, "c"); ok {
		t.Fatal("Set with a negative duration stored the key")
	}
	for i := range 10 {
		must(c.Set(ctx, i, i, 0))
		if n, _ := c.Size(ctx); n > 3 {
			t.Fatalf("%d entries after %d sets, want at most 3", n, i+1)
		}
	}
	if keys, _ := c.Keys(ctx); len(keys) != 3 {
		t.Fatalf("Keys = %v, want 3 of them", keys)
	}
	must(c.Clear(ctx))
	if n, _ := c.Size(ctx); n != 0 {
		t.Fatalf("%d entries after Clear", n)
	}
}
