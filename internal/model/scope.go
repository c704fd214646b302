package model

// Scope is the businesses whose alarms a user may see: the patterns of the token's pulse.alarms
// claim. The zero Scope is everything (auth off); ScopeOf(nil) is nothing (a token without the
// claim).
type Scope struct {
	limited  bool
	patterns []Pattern
}

// ScopeOf is the scope of patterns.
func ScopeOf(patterns []Pattern) Scope { return Scope{limited: true, patterns: patterns} }

// Covers reports whether the scope covers the business (typ, id).
func (s Scope) Covers(typ, id string) bool {
	return !s.limited || AnyCovers(s.patterns, typ, id)
}

// Patterns returns the scope's patterns, and whether it is limited to them (false: everything).
func (s Scope) Patterns() ([]Pattern, bool) { return s.patterns, s.limited }

// All reports whether the scope covers every business, so that a caller may skip the checks.
func (s Scope) All() bool {
	if !s.limited {
		return true
	}
	for _, p := range s.patterns {
		if p.Type == "" {
			return true
		}
	}
	return false
}
