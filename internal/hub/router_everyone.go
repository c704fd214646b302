package hub

// Everyone routes every publish to every connection whose grant's scope covers the publish's key,
// whatever the connection's own key (alarm consoles): a check per connection, none without a grant.
type Everyone struct {
	conns connSet
}

// NewEveryone returns an empty broadcast router.
func NewEveryone() *Everyone { return &Everyone{conns: connSet{}} }

// Add implements Router.
func (e *Everyone) Add(c *Conn) { e.conns[c] = struct{}{} }

// Remove implements Router.
func (e *Everyone) Remove(c *Conn) { delete(e.conns, c) }

// Each implements Router: every connection whose scope covers k receives.
func (e *Everyone) Each(k Key, fn func(*Conn)) {
	for c := range e.conns {
		if c.receives(k) {
			fn(c)
		}
	}
}

// All implements Router.
func (e *Everyone) All(fn func(*Conn)) { e.conns.each(fn) }

// Len implements Router.
func (e *Everyone) Len() int { return len(e.conns) }
