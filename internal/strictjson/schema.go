package strictjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode"
)

// kind is what JSON a Go type can hold.
type kind uint8

const (
	kindAny    kind = iota // free-form: json.RawMessage, any, or a type with its own UnmarshalJSON
	kindStruct             // an object with known keys
	kindMap                // an object with any keys
	kindArray              // slices and arrays
	kindBytes              // []byte: a base64 string
	kindString
	kindBool
	kindInt
	kindUint
	kindFloat
)

// schema is the shape of a Go type as the scanner needs it. Built once per type.
type schema struct {
	kind   kind
	bits   int              // of numbers
	elem   *schema          // of maps and arrays
	fields map[string]field // of structs, by their exact JSON name
}

type field struct {
	index  int // distinct per struct, to find duplicates
	schema *schema
}

// anySchema holds any JSON value; its members are free-form too.
var anySchema = func() *schema {
	s := &schema{kind: kindAny}
	s.elem = s
	return s
}()

var (
	schemas         sync.Map // reflect.Type → *schema
	unmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType      = reflect.TypeFor[json.Number]() // a string type that holds a JSON number
)

func schemaOf(t reflect.Type) *schema {
	if s, ok := schemas.Load(t); ok {
		return s.(*schema)
	}
	s, _ := schemas.LoadOrStore(t, build(t, map[reflect.Type]*schema{}))
	return s.(*schema)
}

// build makes the schema of t; building holds the types under construction, for recursive types.
func build(t reflect.Type, building map[reflect.Type]*schema) *schema {
	if s := building[t]; s != nil {
		return s
	}
	if implements(t, unmarshaler) || implements(t, textUnmarshaler) || t == numberType {
		return anySchema // the type judges its own JSON; encoding/json reports what it refuses
	}
	switch t.Kind() {
	case reflect.Pointer:
		building[t] = anySchema // only a type like `type P *P` comes back here
		s := build(t.Elem(), building)
		delete(building, t)
		return s
	case reflect.Struct:
		s := &schema{kind: kindStruct}
		building[t] = s
		s.fields = structFields(t, building)
		return s
	case reflect.Map:
		s := &schema{kind: kindMap}
		building[t] = s
		s.elem = build(t.Elem(), building)
		return s
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), unmarshaler) && !implements(t.Elem(), textUnmarshaler) {
			return &schema{kind: kindBytes}
		}
		s := &schema{kind: kindArray}
		building[t] = s
		s.elem = build(t.Elem(), building)
		return s
	case reflect.String:
		return &schema{kind: kindString}
	case reflect.Bool:
		return &schema{kind: kindBool}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &schema{kind: kindInt, bits: t.Bits()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &schema{kind: kindUint, bits: t.Bits()}
	case reflect.Float32, reflect.Float64:
		return &schema{kind: kindFloat, bits: t.Bits()}
	default: // interfaces, and what JSON cannot fill (encoding/json says so)
		return anySchema
	}
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

// structFields names the fields encoding/json fills in t, with its rules: the json tag's name or
// the Go name, "-" skips, fields of untagged embedded structs are promoted, and of several fields
// with one name the shallowest wins, a tagged one over untagged ones, and a tie hides them all.
func structFields(t reflect.Type, building map[reflect.Type]*schema) map[string]field {
	var all []candidate
	var walk func(t reflect.Type, depth int, ancestors []reflect.Type)
	walk = func(t reflect.Type, depth int, ancestors []reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !validName(name) {
				name = ""
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous {
				if !f.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
				if name == "" && ft.Kind() == reflect.Struct {
					if !containsType(ancestors, ft) {
						walk(ft, depth+1, append(ancestors, ft))
					}
					continue
				}
			} else if !f.IsExported() {
				continue
			}
			c := candidate{name: name, depth: depth, tagged: name != "", typ: f.Type}
			if c.name == "" {
				c.name = f.Name
			}
			c.quoted = hasOption(opts, "string")
			all = append(all, c)
		}
	}
	walk(t, 0, []reflect.Type{t})

	byName := map[string][]candidate{}
	var names []string // in field order, so that indexes are stable
	for _, c := range all {
		if byName[c.name] == nil {
			names = append(names, c.name)
		}
		byName[c.name] = append(byName[c.name], c)
	}
	fields := make(map[string]field, len(names))
	for _, name := range names {
		c, ok := dominant(byName[name])
		if !ok {
			continue
		}
		s := anySchema
		if !c.quoted {
			s = build(c.typ, building)
		}
		fields[name] = field{index: len(fields), schema: s}
	}
	return fields
}

type candidate struct {
	name   string
	depth  int
	tagged bool
	typ    reflect.Type
	quoted bool // ",string": a string holding the value
}

// dominant picks the field of one name encoding/json fills: the shallowest, a tagged one before
// untagged ones; a tie hides them all.
func dominant(cs []candidate) (candidate, bool) {
	top := cs[0].depth
	for _, c := range cs {
		top = min(top, c.depth)
	}
	var tagged, untagged []candidate
	for _, c := range cs {
		switch {
		case c.depth != top:
		case c.tagged:
			tagged = append(tagged, c)
		default:
			untagged = append(untagged, c)
		}
	}
	switch {
	case len(tagged) == 1:
		return tagged[0], true
	case len(tagged) == 0 && len(untagged) == 1:
		return untagged[0], true
	}
	return candidate{}, false
}

func containsType(ts []reflect.Type, t reflect.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// validName is encoding/json's rule for a tag's name; it ignores the others.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
