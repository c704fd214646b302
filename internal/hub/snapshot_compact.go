package hub

// Compact moves the row data the manager keeps (snapshots and history) into a few large blocks,
// one per key, so that the runtime can give back the memory they were scattered over. Meant for a
// quiet moment, before the memory is returned to the OS: see snapshots.compact.
func (m *Manager) Compact() {
	if m.snapshots != nil {
		m.snapshots.compact()
	}
}

// compact copies each key's kept messages into one buffer (and their headers into one slice).
//
// A kept message was allocated when it was published, among the many short-lived objects of its
// delivery; a few thousand of them, kept through a quiet spell, hold as many of the Go heap's spans
// in use (the runtime does not move objects), each span mostly empty. Copied together, they fill a
// few spans, and the old ones are garbage once no connection holds them. The copies' cost is
// charged to their type in place of the originals'.
func (s *snapshots) compact() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.byKey {
		size := 0
		for i := range r.n {
			size += len(r.at(i).msg.data)
		}
		buf := make([]byte, 0, size)
		msgs := make([]Message, r.n)
		var delta int64
		for i := range r.n {
			p := &r.slots[r.index(i)]
			start := len(buf)
			buf = append(buf, p.msg.data...)
			msgs[i] = Message{data: buf[start:len(buf):len(buf)], seq: p.msg.seq}
			delta += messageCost(&msgs[i]) - messageCost(p.msg)
			p.msg = &msgs[i]
		}
		r.bytes += delta
		s.shares.charge(r.owner, delta)
	}
}
