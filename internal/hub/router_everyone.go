package hub

// Everyone routes every publish to every connection, whatever its key (alarm consoles).
type Everyone struct {
	conns connSet
}

// NewEveryone returns an empty broadcast router.
func NewEveryone() *Everyone { return &Everyone{conns: connSet{}} }

// Add implements Router.
func (e *Everyone) Add(c *Conn) { e.conns[c] = struct{}{} }

// Remove implements Router.
func (e *Everyone) Remove(c *Conn) { delete(e.conns, c) }

// Each implements Router: every connection receives.
func (e *Everyone) Each(_ Key, fn func(*Conn)) { e.conns.each(fn) }

// All implements Router.
func (e *Everyone) All(fn func(*Conn)) { e.conns.each(fn) }

// Len implements Router.
func (e *Everyone) Len() int { return len(e.conns) }
