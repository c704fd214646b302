package device

import (
	"context"
	"sync"
)

// Cache is a node's copy of the devices, by platform, as of one generation of pulse_device_gen.
// A commit that notifies a push outlet reads the generation in its transaction (one row) and the
// devices only when another node, or this one, changed them since: registering, deleting,
// removing and purging raise it. Expired devices stay in the copy until purged; Of leaves them
// out.
type Cache struct {
	mu         sync.Mutex
	gen        int64
	loaded     bool
	byPlatform map[string][]*Device
}

// NewCache is an empty copy.
func NewCache() *Cache { return &Cache{} }

// Of is, in tx, the devices of platform not expired at now: OfPlatform, from the copy when it is
// of the store's generation.
func (c *Cache) Of(ctx context.Context, tx Execer, dialect, platform string, now int64) ([]*Device, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, "SELECT gen FROM pulse_device_gen WHERE id = 1").Scan(&gen); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded || c.gen != gen {
		c.gen, c.loaded, c.byPlatform = gen, true, map[string][]*Device{}
	}
	list, ok := c.byPlatform[platform]
	if !ok {
		// Read in the same transaction as the generation: at least as new as it says.
		var err error
		if list, err = OfPlatform(ctx, tx, dialect, platform, 0); err != nil {
			c.loaded = false
			return nil, err
		}
		c.byPlatform[platform] = list
	}
	out := make([]*Device, 0, len(list))
	for _, d := range list {
		if d.ExpiresAt > now {
			out = append(out, d)
		}
	}
	return out, nil
}

// Len is how many devices the copy holds (expired ones included), for measuring.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.byPlatform {
		n += len(l)
	}
	return n
}
