package hub

import "github.com/pulse-monitoring/pulse/internal/model"

// BusinessIndex routes row data by exact (businessType, businessId):
//
//	publish (T, I)  -> subscribers of (T, I) and (T, *)
//	publish (T, "") -> every subscriber of type T
//	publish ("", "") -> every subscriber
//
// A publish costs in proportion to its recipients (and, type-wide, to the ids of that type),
// never to the number of connections.
type BusinessIndex struct {
	types map[string]*typeSubscribers
	n     int
}

type typeSubscribers struct {
	byID     map[string]connSet
	wildcard connSet
	n        int
}

// NewBusinessIndex returns an empty index.
func NewBusinessIndex() *BusinessIndex {
	return &BusinessIndex{types: map[string]*typeSubscribers{}}
}

// Add implements Router.
func (b *BusinessIndex) Add(c *Conn) {
	k := c.Key()
	t := b.types[k.Type]
	if t == nil {
		t = &typeSubscribers{byID: map[string]connSet{}, wildcard: connSet{}}
		b.types[k.Type] = t
	}
	if k.ID == model.Wildcard {
		t.wildcard[c] = struct{}{}
	} else {
		set := t.byID[k.ID]
		if set == nil {
			set = connSet{}
			t.byID[k.ID] = set
		}
		set[c] = struct{}{}
	}
	t.n++
	b.n++
}

// Remove implements Router. Removing a connection that is not there does nothing.
func (b *BusinessIndex) Remove(c *Conn) {
	k := c.Key()
	t := b.types[k.Type]
	if t == nil {
		return
	}
	set := t.wildcard
	if k.ID != model.Wildcard {
		set = t.byID[k.ID]
	}
	if _, ok := set[c]; !ok {
		return
	}
	delete(set, c)
	if len(set) == 0 && k.ID != model.Wildcard {
		delete(t.byID, k.ID)
	}
	t.n--
	b.n--
	if t.n == 0 {
		delete(b.types, k.Type)
	}
}

// Each implements Router.
func (b *BusinessIndex) Each(k Key, fn func(*Conn)) {
	if k.Type == "" {
		b.All(fn)
		return
	}
	t := b.types[k.Type]
	if t == nil {
		return
	}
	t.wildcard.each(fn)
	if k.ID == "" {
		for _, set := range t.byID {
			set.each(fn)
		}
		return
	}
	t.byID[k.ID].each(fn)
}

// All implements Router.
func (b *BusinessIndex) All(fn func(*Conn)) {
	for _, t := range b.types {
		t.wildcard.each(fn)
		for _, set := range t.byID {
			set.each(fn)
		}
	}
}

// Len implements Router.
func (b *BusinessIndex) Len() int { return b.n }
