package ws

import "sync/atomic"

// slots counts open WebSocket connections against ws.maxConnections.
type slots struct {
	max  int64 // 0 = unlimited
	used atomic.Int64
}

// acquire takes a slot, or reports false when all are taken.
func (s *slots) acquire() bool {
	if s.max == 0 {
		s.used.Add(1)
		return true
	}
	for {
		n := s.used.Load()
		if n >= s.max {
			return false
		}
		if s.used.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (s *slots) release() { s.used.Add(-1) }
