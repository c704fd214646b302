package idempotency

import "sync"

// InFlight is the keys of the requests being handled on this node: a repeat that arrives before
// the first is answered is refused rather than handled twice at once.
type InFlight struct {
	mu   sync.Mutex
	keys map[id][32]byte // the body's sum of each
}

// NewInFlight returns an empty set.
func NewInFlight() *InFlight { return &InFlight{keys: make(map[id][32]byte)} }

// Begin marks k as being handled, and returns the function that ends it (call it once the answer
// is decided). While k is being handled, a request with the same key is refused: 409 code 1411
// with the same body, 422 code 1422 with another.
func (f *InFlight) Begin(k Key) (end func(), err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sum, busy := f.keys[k.id()]; busy {
		if sum != k.Sum {
			return nil, Reused(k)
		}
		return nil, inFlight(k)
	}
	f.keys[k.id()] = k.Sum
	return func() {
		f.mu.Lock()
		delete(f.keys, k.id())
		f.mu.Unlock()
	}, nil
}
