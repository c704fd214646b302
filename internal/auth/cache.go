package auth

import (
	"sync"
	"time"
)

// A token is verified once and remembered for a while: a user's consoles open several sockets with
// one token (a dashboard's panels, the alarm board, a reload, a reconnect), and verifying costs more
// than the rest of a handshake's checks together (a JSON parse of header and claims, an HMAC or a
// signature check: 10 to 20 µs).
const (
	// cacheSize bounds the tokens remembered; when full, an arbitrary one is forgotten.
	cacheSize = 4096
	// cacheFor bounds how long a token is remembered: a key withdrawn from the JWKS stops
	// verifying its tokens at the door within this long after it is fetched away.
	cacheFor = time.Minute
)

// verified remembers the identities of tokens that verified, by the token itself, until their
// exp plus the leeway or cacheFor, whichever comes first. Refusals are not remembered.
type verified struct {
	mu      sync.Mutex
	entries map[string]verifiedEntry
}

type verifiedEntry struct {
	id    Identity
	until time.Time
}

func (c *verified) get(token string, now time.Time) (Identity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[token]
	if !ok {
		return Identity{}, false
	}
	if !now.Before(e.until) {
		delete(c.entries, token)
		return Identity{}, false
	}
	return e.id, true
}

func (c *verified) put(token string, id Identity, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]verifiedEntry)
	}
	if len(c.entries) >= cacheSize {
		for t := range c.entries { // map order is arbitrary: forget one
			delete(c.entries, t)
			break
		}
	}
	c.entries[token] = verifiedEntry{id: id, until: until}
}
