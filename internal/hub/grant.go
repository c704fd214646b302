package hub

import (
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// CloseTokenExpired closes a connection whose grant has expired (and was not refreshed).
const CloseTokenExpired = 4401

// Grant is what a connection's credentials allow it, and until when. The engine reads Expires
// and Scope; Identity is the application's own record of who the client is, which the engine
// only carries (for handlers, through Conn.Grant).
type Grant struct {
	// Expires is when the connection is closed with CloseTokenExpired unless refreshed; zero
	// is never.
	Expires time.Time
	// Scope is the keys whose publishes the connection receives from an Everyone router (the
	// alarms of its businesses); the zero Scope is all of them.
	Scope model.Scope
	// Notices is the businesses whose notices to the connection's user it receives
	// (Manager.SendToUser); the zero Scope is all of them.
	Notices model.Scope
	// Identity is the application's.
	Identity any
}

// Grant is the connection's current grant, nil when it was attached without one.
func (c *Conn) Grant() *Grant { return c.grant.Load() }

// Refresh replaces the connection's grant: its scope applies to the next publish, its expiry
// replaces the old one.
func (c *Conn) Refresh(g Grant) {
	c.grant.Store(&g)
	c.manager.expiries.schedule(c, g.Expires)
}

// receives reports whether a publish to k from an Everyone router reaches the connection.
func (c *Conn) receives(k Key) bool {
	g := c.grant.Load()
	return g == nil || g.Scope.Covers(k.Type, k.ID)
}
