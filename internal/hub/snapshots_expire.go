package hub

import "time"

// expire lets go of the history older than the window of every key, now unix ms, and gives a
// ring whose history shrank most of its slots back. A key's own publishes already drop what aged
// out; this is for keys that went quiet, whose history would otherwise stay until their next
// publish, however long after. It walks every key under the lock: a few microseconds per
// thousand keys, once per expiry interval.
func (s *snapshots) expire(now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for r := s.all.newest; r != nil; r = s.all.older(r) {
		var freed int64
		for r.n > s.size && r.slots[r.head].ts < now-s.window {
			freed += s.dropOldest(r)
		}
		if first := s.firstSlots(); len(r.slots) > first && r.n < len(r.slots)/4 {
			freed -= r.resize(max(first, r.n))
		}
		if freed != 0 {
			r.bytes -= freed
			s.shares.charge(r.owner, -freed)
		}
	}
}

// expiryInterval is how often a manager expires history: a quarter of the window, at least a
// second and at most a minute, so a quiet key's history goes within about a window and a quarter.
func expiryInterval(window time.Duration) time.Duration {
	return min(max(window/4, time.Second), time.Minute)
}

// expireHistory runs expire every expiryInterval until the manager shuts down.
func (m *Manager) expireHistory() {
	t := time.NewTicker(expiryInterval(m.opts.HistoryWindow))
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.snapshots.expire(now.UnixMilli())
		}
	}
}
