package strictjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// fuzzDoc has typed fields, free-form ones and a recursive one.
type fuzzDoc struct {
	Name  string            `json:"name"`
	N     int64             `json:"n"`
	U     uint8             `json:"u"`
	F     float64           `json:"f"`
	OK    bool              `json:"ok"`
	Tags  []string          `json:"tags"`
	Meta  map[string]int    `json:"meta"`
	Data  json.RawMessage   `json:"data"`
	Any   any               `json:"any"`
	Items []item            `json:"items"`
	Next  *fuzzDoc          `json:"next"`
	Free  map[string]any    `json:"free"`
	Raw   []json.RawMessage `json:"raw"`
}

// FuzzUnmarshal: Unmarshal never panics and only refuses with an *Error; it is never looser than
// encoding/json; what it accepts has valid UTF-8, no duplicate keys and bounded depth (checked here
// independently, with encoding/json's tokenizer); and what it accepts survives a round trip.
func FuzzUnmarshal(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a","n":-1,"u":255,"f":1e300,"ok":true,"tags":["x"],"meta":{"a":1},"data":{"d":[1,{"e":null}]},"any":[{}],"items":[{"businessId":"m"}],"next":{"next":{}},"free":{"x":"y"},"raw":[1,"2"]}`,
		`{"name":"\ud83d\ude00","data":"\u00e9\u0000"}`,
		`{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"NAME":"a"}`, `{"n":1,"n":2}`, `{"data":{"a":1,"a":1}}`,
		`{"data":` + nest("[", "]", 33, "") + `}`, nest(`{"next":`, "}", 70, "{}"), `{"n":1.5}`, `{"u":256}`,
		`{"meta":{"\u0061":1,"a":2}}`, `{} {}`, ` `, `{"raw":[` + nest("[", "]", 32, "") + `]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc fuzzDoc
		err := strictjson.Unmarshal(data, &doc)
		if err != nil {
			var e *strictjson.Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("refused without an *Error: %v", err)
			}
			return
		}
		var std fuzzDoc
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(doc, std) {
			t.Fatalf("decoded differently from encoding/json:\n%+v\n%+v", doc, std)
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted invalid UTF-8")
		}
		if err := strictShape(data); err != nil {
			t.Fatalf("accepted: %v", err)
		}
		// What encoding/json writes of it is strict JSON and reads back the same.
		out, err := json.Marshal(doc)
		if err != nil {
			return // e.g. a float that JSON cannot write; nothing to compare
		}
		var again fuzzDoc
		if err := strictjson.Unmarshal(out, &again); err != nil {
			t.Fatalf("refused encoding/json's own output %s: %v", out, err)
		}
		if out2, _ := json.Marshal(again); !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the document:\n%s\n%s", out, out2)
		}
	})
}

// strictShape walks data with encoding/json's tokenizer: no object holds a key twice, nesting stays
// within MaxDocumentDepth, and no string holds U+FFFD unless the input spelt one.
func strictShape(data []byte) error {
	spelt := bytes.Contains(data, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`))
	dec := json.NewDecoder(bytes.NewReader(data))
	type level struct {
		object bool
		keys   map[string]bool
		isKey  bool // the next string token is a key
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if s, ok := tok.(string); ok && !spelt && strings.ContainsRune(s, utf8.RuneError) {
			return errors.New("a string decoded to U+FFFD")
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object {
			if stack[top].isKey {
				if tok == json.Delim('}') {
					stack = stack[:top]
					continue
				}
				k := tok.(string)
				if stack[top].keys[k] {
					return errors.New("duplicate key " + k)
				}
				stack[top].keys[k] = true
				stack[top].isKey = false
				continue
			}
			stack[top].isKey = true // this token is the member's value (or opens it)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{object: true, keys: map[string]bool{}, isKey: true})
		case json.Delim('['):
			stack = append(stack, level{})
		case json.Delim(']'):
			stack = stack[:top]
		}
		if len(stack) > strictjson.MaxDocumentDepth {
			return errors.New("nested too deep")
		}
	}
}
