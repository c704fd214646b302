package app

import (
	"errors"
	"reflect"
	"unsafe"

	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gogf/gf/v2/os/gcache"
)

// routeCacheSize is how many request paths GoFrame's router remembers the handlers of.
//
// GoFrame caches the handlers it found for every distinct path for an hour, without a bound
// (ghttp's serveCache and routeCacheDuration), and every alarm id makes paths of its own
// (/api/v1/alarms/{businessType}/{businessId}/{alarmId}/ack): about 760 bytes each, so a soak's
// acks and clears grew the heap by megabytes over half an hour, and anyone sending distinct paths
// could grow it without limit. The paths worth remembering are the few hot ones (ingest, lists);
// a path found again costs a router search of microseconds. 256 of them hold about 0.2 MB; a
// soak's acks and clears (two new paths a second) fill them within minutes, after which the heap
// stops growing for them.
const routeCacheSize = 256

// boundRouteCache gives s a router cache that keeps the size most recently used paths, and
// returns it (the quiet hook empties it: its entries, made one by one through a load, keep the
// heap's spans they are scattered over in use). GoFrame has no setting for it, so the field is
// replaced before s serves. An error (GoFrame renamed or retyped it) leaves the router working
// with its unbounded cache; its test fails on such an upgrade.
func boundRouteCache(s *ghttp.Server, size int) (*gcache.Cache, error) {
	f := reflect.ValueOf(s).Elem().FieldByName("serveCache")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*gcache.Cache]() {
		return nil, errors.New("GoFrame's ghttp.Server has no serveCache *gcache.Cache field: boundRouteCache needs updating")
	}
	c := gcache.New(size)
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(c))
	return c, nil
}
