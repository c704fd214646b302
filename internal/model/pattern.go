package model

import (
	"errors"
	"strings"
)

// Pattern is a business pattern of the auth grants and the ingest keys: "T/I" (that business),
// "T/*" (every id of type T) or "*" (everything). Types and ids follow the name rules; a "/"
// inside a name cannot be written in a pattern.
type Pattern struct {
	Type string // "" in the pattern "*"
	ID   string // Wildcard in "T/*"
}

// ParsePattern reads a pattern, or says why it is not one.
func ParsePattern(s string) (Pattern, error) {
	if s == Wildcard {
		return Pattern{}, nil
	}
	typ, id, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(id, "/") {
		return Pattern{}, errors.New(`a business pattern is "type/id", "type/*" or "*"`)
	}
	if err := CheckAddress(typ); err != nil {
		return Pattern{}, errors.New("type: " + err.Error())
	}
	if id != Wildcard {
		if err := CheckAddress(id); err != nil {
			return Pattern{}, errors.New("id: " + err.Error())
		}
	}
	return Pattern{Type: typ, ID: id}, nil
}

// String is the pattern as written.
func (p Pattern) String() string {
	if p.Type == "" {
		return Wildcard
	}
	return p.Type + "/" + p.ID
}

// Covers reports whether the pattern covers the business (typ, id). An empty typ or id stands for
// every type or every id (a broadcast, or a subscription to "T/*"), which only a pattern as wide
// covers: "*" covers everything, "T/*" every id of T, "T/I" only (T, I).
func (p Pattern) Covers(typ, id string) bool {
	switch {
	case p.Type == "":
		return true
	case typ == "" || typ != p.Type:
		return false
	case p.ID == Wildcard:
		return true
	default:
		return id != "" && id != Wildcard && id == p.ID
	}
}

// AnyCovers reports whether one of patterns covers (typ, id).
func AnyCovers(patterns []Pattern, typ, id string) bool {
	for _, p := range patterns {
		if p.Covers(typ, id) {
			return true
		}
	}
	return false
}
