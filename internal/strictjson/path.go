package strictjson

import (
	"strconv"
	"strings"
)

// renderPath writes a path the way ingest messages name fields: items[3].data.a, or ["a b"] for
// a key that is not a plain name.
func renderPath(path []step) string {
	var b strings.Builder
	for _, st := range path {
		switch {
		case st.key == nil:
			b.WriteString("[" + strconv.Itoa(st.index) + "]")
		case plainName(st.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.Write(st.key)
		default:
			b.WriteString("[" + quoteKey(st.key) + "]")
		}
	}
	return b.String()
}

func plainName(key []byte) bool {
	if len(key) == 0 || len(key) > maxShown {
		return false
	}
	for _, c := range key {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '$') {
			return false
		}
	}
	return true
}

// maxShown is how much of a client's key or number an error message repeats.
const maxShown = 64

func quoteKey(key []byte) string { return strconv.Quote(shorten(key)) }

func shorten(b []byte) string {
	if len(b) > maxShown {
		return string(b[:maxShown]) + "..."
	}
	return string(b)
}

func quoteChar(c byte) string {
	if c >= 0x80 {
		return `'\x` + strconv.FormatUint(uint64(c), 16) + `'`
	}
	return strconv.QuoteRune(rune(c))
}

// want names what a kind of Go value needs, the way a JSON author would say it.
func want(k kind) string {
	switch k {
	case kindStruct, kindMap:
		return "an object"
	case kindArray:
		return "an array"
	case kindString:
		return "a string"
	case kindBytes:
		return "a base64 string"
	case kindBool:
		return "true or false"
	case kindInt:
		return "an integer"
	case kindUint:
		return "a non-negative integer"
	case kindFloat:
		return "a number"
	}
	return "a JSON value"
}

// got names the JSON value that starts with c.
func got(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	}
	return "a number"
}
