package hub

import "strings"

// Compact moves the row data the manager keeps (snapshots and history) into a few large blocks,
// one per key, so that the runtime can give back the memory they were scattered over. Meant for a
// quiet moment, before the memory is returned to the OS: see snapshots.compact.
func (m *Manager) Compact() {
	if m.snapshots != nil {
		m.snapshots.compact()
	}
}

// compact copies each key's kept messages into one buffer (and their headers into one slice), its
// ring's slots and its key's strings, and the index of keys.
//
// A kept message was allocated when it was published, among the many short-lived objects of its
// delivery; a few thousand of them, kept through a quiet spell, hold as many of the Go heap's spans
// in use (the runtime does not move objects), each span mostly empty. Copied together, they fill a
// few spans, and the old ones are garbage once no connection holds them. So do the slots (made
// as the history grew) and the key (decoded from the key's first request). The copies' cost is
// charged to their type in place of the originals'.
func (s *snapshots) compact() {
	s.mu.Lock()
	defer s.mu.Unlock()
	byKey := make(map[Key]*snapshotRing, len(s.byKey))
	for _, r := range s.byKey {
		r.key = Key{Type: strings.Clone(r.key.Type), ID: strings.Clone(r.key.ID)}
		byKey[r.key] = r
		r.resize(len(r.slots))
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
	s.byKey = byKey
}
