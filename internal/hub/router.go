package hub

// Router is a manager's routing rule: an index from publish addresses to connections.
// The manager serialises Add and Remove against Each and All with its own lock.
type Router interface {
	Add(c *Conn)
	Remove(c *Conn)
	// Each calls fn for every connection that should receive a publish to k.
	Each(k Key, fn func(*Conn))
	// All calls fn for every connection.
	All(fn func(*Conn))
	Len() int
}

// connSet is a set of connections.
type connSet map[*Conn]struct{}

func (s connSet) each(fn func(*Conn)) {
	for c := range s {
		fn(c)
	}
}
