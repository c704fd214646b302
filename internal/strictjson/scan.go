package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// smallObject is how many keys an object may have before its duplicate check uses a map rather
// than comparing each new key with the ones before it.
const smallObject = 16

// scanner walks a document once, iteratively over its bytes and recursively over its nesting
// (which MaxDocumentDepth bounds), checking each value against the schema it is decoded into.
type scanner struct {
	data []byte
	pos  int
	path []step   // where the scanner is, turned into text only for an error
	keys [][]byte // keys of the open objects that are not structs, for the duplicate check

	freeRoot  int // len(path) at the free-form value being scanned, or -1 outside one
	freeDepth int // the document depth that free-form value is at

	pathBuf [16]step // room for path and keys of typical documents without allocating
	keysBuf [32][]byte
}

func (s *scanner) init(data []byte) {
	s.data, s.freeRoot = data, -1
	s.path, s.keys = s.pathBuf[:0], s.keysBuf[:0]
}

// step is one member of the path: an object key, or an array index when key is nil.
type step struct {
	key   []byte
	index int
}

// value scans the value at s.pos, which is decoded into a Go value of schema sch; depth is how many
// objects and arrays enclose it.
func (s *scanner) value(sch *schema, depth int) error {
	if s.pos >= len(s.data) {
		return s.syntax("unexpected end of JSON input")
	}
	c := s.data[s.pos]
	if c == 'n' {
		return s.literal("null") // null fits every Go type, as in encoding/json
	}
	switch sch.kind {
	case kindAny:
		if s.freeRoot >= 0 {
			return s.anyValue(depth)
		}
		s.freeRoot, s.freeDepth = len(s.path), depth
		err := s.anyValue(depth)
		s.freeRoot = -1
		return err
	case kindStruct, kindMap:
		if c == '{' {
			return s.object(sch, depth+1)
		}
	case kindArray:
		if c == '[' {
			return s.array(sch.elem, depth+1)
		}
	case kindString, kindBytes:
		if c == '"' {
			return s.string()
		}
	case kindBool:
		if c == 't' {
			return s.literal("true")
		}
		if c == 'f' {
			return s.literal("false")
		}
	case kindInt, kindUint, kindFloat:
		if c == '-' || '0' <= c && c <= '9' {
			return s.number(sch)
		}
	}
	if err := s.anyValue(depth); err != nil { // a syntax error is the clearer message
		return err
	}
	return s.errorf("must be %s, got %s", want(sch.kind), got(c))
}

// anyValue scans any JSON value.
func (s *scanner) anyValue(depth int) error {
	if s.pos >= len(s.data) {
		return s.syntax("unexpected end of JSON input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(anySchema, depth+1)
	case c == '[':
		return s.array(anySchema, depth+1)
	case c == '"':
		return s.string()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number(anySchema)
	}
	return s.syntax("invalid character %s looking for a value", quoteChar(s.data[s.pos]))
}

// enter checks the depth of a new object or array.
func (s *scanner) enter(depth int) error {
	if depth > MaxDocumentDepth {
		return s.errorf("nested deeper than %d levels", MaxDocumentDepth)
	}
	if s.freeRoot >= 0 && depth-s.freeDepth > MaxDepth {
		return &Error{Path: renderPath(s.path[:s.freeRoot]), Reason: fmt.Sprintf("nested deeper than %d levels", MaxDepth)}
	}
	return nil
}

func (s *scanner) object(sch *schema, depth int) error {
	if err := s.enter(depth); err != nil {
		return err
	}
	s.pos++                      // {
	var seenFields uint64        // struct fields by index, when they are few
	var seenMany []bool          // or more
	var seenKeys map[string]bool // keys of a large free-form object
	keysFrom := len(s.keys)
	defer func() { s.keys = s.keys[:keysFrom] }()

	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.unexpected("a key in double quotes")
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		child := sch.elem
		if sch.kind == kindStruct {
			f, ok := sch.fields[string(key)]
			if !ok {
				return s.errorf("unknown field %s", quoteKey(key))
			}
			if f.index < 64 {
				if seenFields&(1<<f.index) != 0 {
					return s.errorf("duplicate key %s", quoteKey(key))
				}
				seenFields |= 1 << f.index
			} else {
				if seenMany == nil {
					seenMany = make([]bool, len(sch.fields))
				}
				if seenMany[f.index] {
					return s.errorf("duplicate key %s", quoteKey(key))
				}
				seenMany[f.index] = true
			}
			child = f.schema
		} else if seenKeys != nil {
			if seenKeys[string(key)] {
				return s.errorf("duplicate key %s", quoteKey(key))
			}
			seenKeys[string(key)] = true
		} else {
			for _, k := range s.keys[keysFrom:] {
				if bytes.Equal(k, key) {
					return s.errorf("duplicate key %s", quoteKey(key))
				}
			}
			s.keys = append(s.keys, key)
			if len(s.keys)-keysFrom == smallObject {
				seenKeys = make(map[string]bool, 2*smallObject)
				for _, k := range s.keys[keysFrom:] {
					seenKeys[string(k)] = true
				}
			}
		}

		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.unexpected("':' after a key")
		}
		s.pos++
		s.skipSpace()
		s.path = append(s.path, step{key: key})
		if err := s.value(child, depth); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		if done, err := s.separator('}', "',' or '}' after an object member"); done || err != nil {
			return err
		}
	}
}

func (s *scanner) array(elem *schema, depth int) error {
	if err := s.enter(depth); err != nil {
		return err
	}
	s.pos++ // [
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		s.skipSpace()
		s.path = append(s.path, step{index: i})
		if err := s.value(elem, depth); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		if done, err := s.separator(']', "',' or ']' after an array element"); done || err != nil {
			return err
		}
	}
}

// separator reads what follows a member or an element: ',' (another follows) or closer (the
// object or array ends, done).
func (s *scanner) separator(closer byte, want string) (done bool, err error) {
	s.skipSpace()
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			return false, nil
		case closer:
			s.pos++
			return true, nil
		}
	}
	return false, s.unexpected(want)
}

// key scans an object key and returns it as encoding/json will see it, unescaped.
func (s *scanner) key() ([]byte, error) {
	start := s.pos
	escaped, err := s.scanString()
	if err != nil {
		return nil, err
	}
	raw := s.data[start+1 : s.pos-1]
	if !escaped {
		return raw, nil
	}
	var k string
	if err := json.Unmarshal(s.data[start:s.pos], &k); err != nil { // valid by now
		return nil, s.errorf("invalid key: %v", err)
	}
	return []byte(k), nil
}

func (s *scanner) string() error {
	_, err := s.scanString()
	return err
}

// scanString checks the string at s.pos (a '"') and moves past it: no control characters, valid
// escapes, valid UTF-8, and \u escapes that make whole characters.
func (s *scanner) scanString() (escaped bool, err error) {
	s.pos++ // "
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return escaped, err
			}
		case c < 0x20:
			return escaped, s.syntax("control character %s in a string (escape it)", quoteChar(c))
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				return escaped, s.errorf("invalid UTF-8 at byte %d", s.pos)
			}
			s.pos += size
		}
	}
	return escaped, s.syntax("unexpected end of JSON input in a string")
}

// escape checks one escape sequence at s.pos (a '\') and moves past it.
func (s *scanner) escape() error {
	if s.pos+1 >= len(s.data) {
		return s.syntax("unexpected end of JSON input in a string")
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return nil
	case 'u':
	default:
		return s.syntax("invalid escape \\%c in a string", s.data[s.pos+1])
	}
	r, ok := s.hex4(s.pos + 2)
	if !ok {
		return s.syntax("invalid \\u escape in a string")
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xdc00: // high: a low one must follow
		if low, ok := s.hex4(s.pos + 8); ok && s.data[s.pos+6] == '\\' && s.data[s.pos+7] == 'u' && 0xdc00 <= low && low < 0xe000 {
			s.pos += 12
			return nil
		}
		return s.errorf("invalid UTF-8: lone surrogate escape %s", s.data[s.pos:s.pos+6])
	case utf16.IsSurrogate(r):
		return s.errorf("invalid UTF-8: lone surrogate escape %s", s.data[s.pos:s.pos+6])
	}
	s.pos += 6
	return nil
}

// hex4 reads four hex digits at i.
func (s *scanner) hex4(i int) (rune, bool) {
	if i+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number checks a number's syntax and that it fits the Go type it is decoded into.
func (s *scanner) number(sch *schema) error {
	start := s.pos
	integer := true
	s.accept('-')
	switch {
	case s.accept('0'):
	case s.digits() == 0:
		return s.unexpected("a digit")
	}
	if s.accept('.') {
		integer = false
		if s.digits() == 0 {
			return s.unexpected("a digit after the decimal point")
		}
	}
	if s.accept('e') || s.accept('E') {
		integer = false
		if !s.accept('+') {
			s.accept('-')
		}
		if s.digits() == 0 {
			return s.unexpected("a digit in the exponent")
		}
	}
	lit := s.data[start:s.pos]
	var err error
	switch sch.kind {
	case kindInt:
		if integer {
			_, err = strconv.ParseInt(string(lit), 10, sch.bits)
		}
	case kindUint:
		if integer {
			_, err = strconv.ParseUint(string(lit), 10, sch.bits)
		}
	case kindFloat:
		_, err = strconv.ParseFloat(string(lit), sch.bits)
	default:
		return nil
	}
	if !integer && sch.kind != kindFloat || err != nil {
		return s.errorf("must be %s, got %s", want(sch.kind), shorten(lit))
	}
	return nil
}

func (s *scanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

func (s *scanner) accept(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		return s.syntax("invalid literal, expected %s", word)
	}
	s.pos += len(word)
	return nil
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// errorf refuses the value at the current path.
func (s *scanner) errorf(format string, args ...any) error {
	return &Error{Path: renderPath(s.path), Reason: fmt.Sprintf(format, args...)}
}

// syntax refuses invalid JSON, saying where in the bytes.
func (s *scanner) syntax(format string, args ...any) error {
	return &Error{Path: renderPath(s.path), Reason: fmt.Sprintf("invalid JSON: "+format, args...) + fmt.Sprintf(" at byte %d", s.pos)}
}

func (s *scanner) unexpected(what string) error {
	if s.pos >= len(s.data) {
		return s.syntax("unexpected end of JSON input, expected %s", what)
	}
	return s.syntax("invalid character %s, expected %s", quoteChar(s.data[s.pos]), what)
}
