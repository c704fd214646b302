package hub

import "sync/atomic"

// users is a manager's index of its connections by user name, for what is sent to one user (a
// notice) rather than published to a business. It is kept beside the router, under the manager's
// lock, by Attach and removal only: a publish never reads it, so row data pays nothing for it.
//
// A user's connections are a slice, not a set: most users hold one or a few, and a slice of one
// costs a pointer where a map costs a table. Each connection knows its place in it (userSlot), so
// removal is constant time even when every dashboard is opened under one name (auth off).
type users struct {
	conns     map[string][]*Conn // connections attached with a user name ("" is none)
	delivered atomic.Int64       // notices queued to connections
}

// add indexes c under its user name; a connection without one is not indexed.
func (u *users) add(c *Conn) {
	if c.user == "" {
		return
	}
	if u.conns == nil {
		u.conns = make(map[string][]*Conn)
	}
	list := u.conns[c.user]
	c.userSlot = int32(len(list))
	u.conns[c.user] = append(list, c)
}

// remove forgets c: the last of its name's list takes its place.
func (u *users) remove(c *Conn) {
	list := u.conns[c.user]
	i := int(c.userSlot)
	if i >= len(list) || list[i] != c {
		return // not indexed (no user name)
	}
	last := len(list) - 1
	list[i] = list[last]
	list[i].userSlot = int32(i)
	list[last] = nil
	if last == 0 {
		delete(u.conns, c.user)
		if len(u.conns) == 0 {
			u.conns = nil // a map never shrinks: the table that indexed a crowd goes with it
		}
	} else {
		u.conns[c.user] = list[:last]
	}
}

// SendToUser hands msg to the writers for every connection of user whose grant lets it receive
// notices of key's business (Grant.Notices), and reports how many there were. Like Publish it
// never waits for a client; it keeps nothing (no snapshot, no history).
func (m *Manager) SendToUser(user string, key Key, msg *Message) int {
	to := recipientPool.get()
	m.mu.RLock()
	for _, c := range m.users.conns[user] {
		if c.receivesNotice(key) {
			*to = append(*to, c)
		}
	}
	m.mu.RUnlock()
	n := len(*to)
	m.users.delivered.Add(int64(n))
	switch {
	case n == 0:
		recipientPool.put(to)
	case len(m.writers) == 1: // to no key: a full queue never coalesces a notice away
		m.writers[0].publish(msg, Key{}, to)
	default:
		m.share(msg, Key{}, to)
	}
	return n
}

// NoticesDelivered is how many notices SendToUser has queued to connections.
func (m *Manager) NoticesDelivered() int64 { return m.users.delivered.Load() }

// receivesNotice reports whether a notice about k reaches the connection.
func (c *Conn) receivesNotice(k Key) bool {
	g := c.grant.Load()
	return g == nil || g.Notices.Covers(k.Type, k.ID)
}
