package hub

import (
	"slices"
	"testing"
)

func recipients(r Router, k Key) []string {
	var got []string
	r.Each(k, func(c *Conn) { got = append(got, c.user) })
	slices.Sort(got)
	return got
}

func TestBusinessIndex(t *testing.T) {
	idx := NewBusinessIndex()
	conns := map[string]*Conn{}
	for name, k := range map[string]Key{
		"a": {"meter", "m-1"}, "a2": {"meter", "m-1"}, "b": {"meter", "m-10"},
		"c": {"meter", "*"}, "d": {"met", "m-1"}, "e": {"water", "w-1"},
	} {
		conns[name] = &Conn{key: k, user: name}
		idx.Add(conns[name])
	}
	cases := []struct {
		k    Key
		want []string
	}{
		{Key{"meter", "m-1"}, []string{"a", "a2", "c"}},
		{Key{"meter", "m-10"}, []string{"b", "c"}},
		{Key{"meter", "m-100"}, []string{"c"}},
		{Key{"meter", ""}, []string{"a", "a2", "b", "c"}},
		{Key{"met", ""}, []string{"d"}},
		{Key{"mete", "m-1"}, nil},
		{Key{"", ""}, []string{"a", "a2", "b", "c", "d", "e"}},
	}
	for _, tc := range cases {
		if got := recipients(idx, tc.k); !slices.Equal(got, tc.want) {
			t.Errorf("publish %v: %v, want %v", tc.k, got, tc.want)
		}
	}

	// Removing twice is harmless, and empty entries disappear.
	for _, name := range []string{"a", "a", "a2", "b", "c", "c"} {
		idx.Remove(conns[name])
	}
	if idx.Len() != 2 || len(idx.types) != 2 {
		t.Fatalf("after removal: len %d, types %v", idx.Len(), idx.types)
	}
	if got := recipients(idx, Key{"meter", ""}); got != nil {
		t.Fatalf("removed connections still receive: %v", got)
	}
}
