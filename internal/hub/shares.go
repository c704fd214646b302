package hub

import "container/heap"

// shares bounds the bytes of the row data a manager keeps (its snapshots and history) and divides
// them fairly between business types: each of the n types that holds something may keep limit/n. Since limit is n shares, whenever the total is over the limit
// the heaviest type is over its share, so eviction always takes from the heaviest type, and a type
// within its share keeps everything, however many new ids another type is flooded with.
//
// A type's account also orders its keys from the most to the least recently published, so that
// the keeper evicts the least recently published key of the heaviest type first.
type shares struct {
	limit, total int64
	byName       map[string]*typeAccount
	heaviest     typeHeap
	evictions    int64 // keys forgotten to stay within the limit
	trims        int64 // keys whose history was let go of to stay within the limit
}

// typeAccount is what one business type holds.
type typeAccount struct {
	name  string
	bytes int64
	rings ringList // the type's keys, most recently published first
	index int      // in shares.heaviest
}

func newShares(limit int64) shares {
	return shares{limit: limit, byName: map[string]*typeAccount{}, heaviest: typeHeap{}}
}

// account returns the account of the type name, opening it if it holds nothing yet.
func (s *shares) account(name string) *typeAccount {
	a := s.byName[name]
	if a == nil {
		a = &typeAccount{name: name, rings: ringList{which: typeList}}
		s.byName[name] = a
		heap.Push(&s.heaviest, a)
	}
	return a
}

// charge adds delta bytes (negative: freed) to a's account.
func (s *shares) charge(a *typeAccount, delta int64) {
	if delta == 0 {
		return
	}
	a.bytes += delta
	s.total += delta
	heap.Fix(&s.heaviest, a.index)
}

// over reports whether the total is over the limit, and if so the type to take from.
func (s *shares) over() (*typeAccount, bool) {
	if s.total <= s.limit || len(s.heaviest) == 0 {
		return nil, false
	}
	return s.heaviest[0], true
}

// close forgets a's account once it holds nothing, so that an emptied type no longer divides the
// limit.
func (s *shares) close(a *typeAccount) {
	heap.Remove(&s.heaviest, a.index)
	delete(s.byName, a.name)
}

// typeHeap is a max-heap of accounts on bytes.
type typeHeap []*typeAccount

func (h typeHeap) Len() int           { return len(h) }
func (h typeHeap) Less(i, j int) bool { return h[i].bytes > h[j].bytes }
func (h typeHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *typeHeap) Push(x any) {
	a := x.(*typeAccount)
	a.index = len(*h)
	*h = append(*h, a)
}
func (h *typeHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return a
}
