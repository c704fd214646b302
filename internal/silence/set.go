package silence

import (
	"slices"
	"sync"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// Set is a node's copy of the silences not yet ended, oldest first, with the generation of the
// store they were read at (the store counts every change to its silences: a commit that finds
// another generation reads them again). It is safe for concurrent use; the silences it hands out
// are not to be changed.
type Set struct {
	mu   sync.RWMutex
	gen  int64
	list []*Silence
}

// NewSet is an empty set at generation -1: the first look at the store reads its silences.
func NewSet() *Set { return &Set{gen: -1} }

// Replace makes list (oldest first) the set's silences, read at generation gen.
func (s *Set) Replace(gen int64, list []*Silence) {
	s.mu.Lock()
	s.gen, s.list = gen, list
	s.mu.Unlock()
}

// Invalidate makes the next look at the store read the silences again.
func (s *Set) Invalidate() {
	s.mu.Lock()
	s.gen = -1
	s.mu.Unlock()
}

// Snapshot is the set's silences and generation.
func (s *Set) Snapshot() (int64, []*Silence) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen, s.list
}

// Match is the silence that holds the alarm a at now (unix ms): prefer, if it still holds it,
// the one a is marked with (so that an alarm does not hop between overlapping silences), else the
// oldest active silence that matches it; nil when none does.
func Match(list []*Silence, a *model.Alarm, now int64) *Silence {
	var first *Silence
	for _, s := range list {
		if !s.ActiveAt(now) || !s.Matches(a) {
			continue
		}
		if a.Silenced != nil && a.Silenced.Id == s.ID {
			return s
		}
		if first == nil {
			first = s
		}
	}
	return first
}

// Silenced reports whether an active silence selects the alarm a at the time at: its
// notifications are held back. It implements notify's Silencer.
func (s *Set) Silenced(a model.Alarm, at time.Time) bool {
	_, list := s.Snapshot()
	return Match(list, &a, at.UnixMilli()) != nil
}

// SilenceOf is the id of the active silence that selects the alarm a at the time at, "" when none
// does (notify's SilenceNamer: cancelled reminders and escalations name it).
func (s *Set) SilenceOf(a model.Alarm, at time.Time) string {
	_, list := s.Snapshot()
	if m := Match(list, &a, at.UnixMilli()); m != nil {
		return m.ID
	}
	return ""
}

// Find is the silence of id, if the set holds it.
func (s *Set) Find(id string) *Silence {
	_, list := s.Snapshot()
	i := slices.IndexFunc(list, func(x *Silence) bool { return x.ID == id })
	if i < 0 {
		return nil
	}
	return list[i]
}
