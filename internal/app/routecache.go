package app

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/gogf/gf/v2/container/gvar"
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
// a path found again costs a router search of microseconds. 256 of them hold about 0.2 MB.
const routeCacheSize = 256

// boundRouteCache gives s a router cache that keeps at most size paths, and returns it (the quiet
// hook empties it: its entries, made one by one through a load, keep the heap's spans they are
// scattered over in use). GoFrame has no setting for it, so the field is replaced before s serves.
// An error (GoFrame renamed or retyped it) leaves the router working with its unbounded cache; its
// test fails on such an upgrade.
func boundRouteCache(s *ghttp.Server, size int) (*gcache.Cache, error) {
	f := reflect.ValueOf(s).Elem().FieldByName("serveCache")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*gcache.Cache]() {
		return nil, errors.New("GoFrame's ghttp.Server has no serveCache *gcache.Cache field: boundRouteCache needs updating")
	}
	c := gcache.NewWithAdapter(newRouteCache(size))
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(c))
	return c, nil
}

// routeCache is a gcache.Adapter for the router: a map of at most size entries that never expire
// (the routes do not change once the server serves), a random one dropped to make room.
//
// Not gcache's own memory adapter, even bounded (gcache.New(size)): besides its entries it keeps,
// per key, the second it expires, and per second a set of the keys expiring then. Evicting a key
// or emptying the cache leaves that bookkeeping behind until the hour is out: a set a second while
// new paths come (acks and clears of distinct alarms), tens of thousands of small objects made one
// by one through a load, each holding a span of the heap in use (a 30-minute soak's RSS drift).
type routeCache struct {
	mu      sync.RWMutex // read on every request, written for a new path
	size    int
	entries map[any]any
}

func newRouteCache(size int) *routeCache {
	return &routeCache{size: size, entries: make(map[any]any, size)}
}

// put stores value under key (mu held); a nil value or a negative duration removes it.
func (c *routeCache) put(key, value any, duration time.Duration) {
	if value == nil || duration < 0 {
		delete(c.entries, key)
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.size {
		for k := range c.entries { // map order is random: a random victim
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = value
}

// setIfAbsent stores value under key unless the key is there, and returns what the key holds, as
// gcache does after a search that ran outside its lock.
func (c *routeCache) setIfAbsent(key, value any, duration time.Duration) (held any, stored bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.entries[key]; ok {
		return v, false
	}
	c.put(key, value, duration)
	return value, true
}

func (c *routeCache) Set(_ context.Context, key, value any, duration time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(key, value, duration)
	return nil
}

func (c *routeCache) SetMap(_ context.Context, data map[any]any, duration time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range data {
		c.put(k, v, duration)
	}
	return nil
}

func (c *routeCache) SetIfNotExist(ctx context.Context, key, value any, duration time.Duration) (bool, error) {
	return c.SetIfNotExistFunc(ctx, key, func(context.Context) (any, error) { return value, nil }, duration)
}

func (c *routeCache) SetIfNotExistFunc(ctx context.Context, key any, f gcache.Func, duration time.Duration) (bool, error) {
	if ok, _ := c.Contains(ctx, key); ok {
		return false, nil
	}
	value, err := f(ctx)
	if err != nil || value == nil {
		return false, err
	}
	_, stored := c.setIfAbsent(key, value, duration)
	return stored, nil
}

func (c *routeCache) SetIfNotExistFuncLock(ctx context.Context, key any, f gcache.Func, duration time.Duration) (bool, error) {
	return c.SetIfNotExistFunc(ctx, key, f, duration)
}

func (c *routeCache) Get(_ context.Context, key any) (*gvar.Var, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v, ok := c.entries[key]; ok {
		return gvar.New(v), nil
	}
	return nil, nil
}

func (c *routeCache) GetOrSet(ctx context.Context, key, value any, duration time.Duration) (*gvar.Var, error) {
	return c.GetOrSetFunc(ctx, key, func(context.Context) (any, error) { return value, nil }, duration)
}

// GetOrSetFunc is what the router calls for every request. f (a router search) runs outside the
// lock: two requests for a new path may both search, and both find the same handlers.
func (c *routeCache) GetOrSetFunc(ctx context.Context, key any, f gcache.Func, duration time.Duration) (*gvar.Var, error) {
	if v, _ := c.Get(ctx, key); v != nil {
		return v, nil
	}
	value, err := f(ctx)
	if err != nil || value == nil {
		return nil, err
	}
	held, _ := c.setIfAbsent(key, value, duration)
	return gvar.New(held), nil
}

func (c *routeCache) GetOrSetFuncLock(ctx context.Context, key any, f gcache.Func, duration time.Duration) (*gvar.Var, error) {
	return c.GetOrSetFunc(ctx, key, f, duration)
}

func (c *routeCache) Contains(_ context.Context, key any) (bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.entries[key]
	return ok, nil
}

func (c *routeCache) Size(context.Context) (int, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries), nil
}

func (c *routeCache) Data(context.Context) (map[any]any, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return maps.Clone(c.entries), nil
}

func (c *routeCache) Keys(ctx context.Context) ([]any, error) {
	data, _ := c.Data(ctx)
	return slices.Collect(maps.Keys(data)), nil
}

func (c *routeCache) Values(ctx context.Context) ([]any, error) {
	data, _ := c.Data(ctx)
	return slices.Collect(maps.Values(data)), nil
}

func (c *routeCache) Update(_ context.Context, key, value any) (*gvar.Var, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.entries[key]
	if !ok {
		return nil, false, nil
	}
	c.put(key, value, 0)
	return gvar.New(old), true, nil
}

// UpdateExpire and GetExpire answer as gcache does for a key that never expires (0), or is
// missing (-1).
func (c *routeCache) UpdateExpire(ctx context.Context, key any, duration time.Duration) (time.Duration, error) {
	if ok, _ := c.Contains(ctx, key); !ok {
		return -1, nil
	}
	if duration < 0 {
		_, err := c.Remove(ctx, key)
		return 0, err
	}
	return 0, nil
}

func (c *routeCache) GetExpire(ctx context.Context, key any) (time.Duration, error) {
	if ok, _ := c.Contains(ctx, key); !ok {
		return -1, nil
	}
	return 0, nil
}

func (c *routeCache) Remove(_ context.Context, keys ...any) (*gvar.Var, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last any
	for _, k := range keys {
		if v, ok := c.entries[k]; ok {
			last = v
			delete(c.entries, k)
		}
	}
	return gvar.New(last), nil
}

// Clear drops every entry and the map that held them (a map keeps its size once grown).
func (c *routeCache) Clear(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = make(map[any]any, c.size)
	return nil
}

func (c *routeCache) Close(context.Context) error { return nil }
