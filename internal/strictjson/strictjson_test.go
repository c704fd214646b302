package strictjson_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

type item struct {
	BusinessType string          `json:"businessType"`
	BusinessId   string          `json:"businessId"`
	Time         int64           `json:"time"`
	Data         json.RawMessage `json:"data"`
}

type batch struct {
	Items []item `json:"items"`
}

// kinds has a field of every kind the scanner checks.
type kinds struct {
	S        string            `json:"s"`
	B        bool              `json:"b"`
	I8       int8              `json:"i8"`
	U        uint              `json:"u"`
	F32      float32           `json:"f32"`
	Bytes    []byte            `json:"bytes"`
	Arr      [2]int            `json:"arr"`
	Map      map[string]int    `json:"map"`
	Any      any               `json:"any"`
	Ptr      *item             `json:"ptr"`
	Q        int               `json:"q,string"`
	Free     map[string]any    `json:"free"`
	Tags     []string          `json:"tags,omitempty"`
	Next     *kinds            `json:"next"`
	Skip     string            `json:"-"`
	Dash     string            `json:"-,"`
	Plain    string            // no tag: its Go name
	inner    string            //nolint:unused // unexported: not a field
	Embedded                   // promoted fields
	Texts    map[string]string `json:"texts"`
	Num      json.Number       `json:"num"`
}

type Embedded struct {
	E     string `json:"e"`
	Plain string // hidden by the outer Plain, which is shallower
}

func nest(open, close string, n int, inner string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

func TestUnmarshalAccepts(t *testing.T) {
	cases := []struct {
		name, in string
		into     any
		want     any
	}{
		{"item", ` {"businessType":"meter","businessId":"m-1","time":5,"data":{"v":[1,2.5,"x",true,null]}} `, new(item),
			&item{"meter", "m-1", 5, json.RawMessage(`{"v":[1,2.5,"x",true,null]}`)}},
		{"escaped key matches as encoding/json unescapes it", `{"\u0062usinessId":"x"}`, new(item), &item{BusinessId: "x"}},
		{"surrogate pair", `{"businessId":"\ud83d\ude00 \u00e9 é"}`, new(item), &item{BusinessId: "😀 é é"}},
		{"null anywhere", `{"businessId":null,"time":null,"data":null}`, new(item), &item{Data: json.RawMessage("null")}},
		{"same key in different objects", `{"data":{"a":{"a":1},"b":{"a":1}}}`, new(item), &item{Data: json.RawMessage(`{"a":{"a":1},"b":{"a":1}}`)}},
		{"32 levels of data", `{"data":` + nest("[", "]", 32, "") + `}`, new(item), &item{Data: json.RawMessage(nest("[", "]", 32, ""))}},
		{"32 levels of objects", `{"data":` + nest(`{"a":`, "}", 32, "1") + `}`, new(item), &item{Data: json.RawMessage(nest(`{"a":`, "}", 32, "1"))}},
		{"a large object without duplicates", `{"data":{` + manyKeys(100, false) + `}}`, new(item), nil},
		{"batch", `{"items":[{"businessId":"a"},{"businessId":"b"}]}`, new(batch), &batch{Items: []item{{BusinessId: "a"}, {BusinessId: "b"}}}},
		{"every kind", `{"s":"x","b":true,"i8":-128,"u":7,"f32":1.5e3,"bytes":"AQI=","arr":[1,2],"map":{"a":1},"any":{"x":[1]},
			"ptr":{"time":1},"q":"12","free":{"k":[{}]},"tags":["t"],"next":{"s":"n"},"-":"dash","Plain":"p","e":"emb","texts":{"a":"b"},"num":1e400}`, new(kinds), nil},
		{"into any", `[1,{"a":"b"}]`, new(any), nil},
		{"into a map", `{"a":1,"b":2}`, new(map[string]int), &map[string]int{"a": 1, "b": 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := strictjson.Unmarshal([]byte(tc.in), tc.into); err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.want != nil && !reflect.DeepEqual(tc.into, tc.want) {
				t.Fatalf("got %+v, want %+v", tc.into, tc.want)
			}
			// encoding/json reads the same bytes the same way.
			std := reflect.New(reflect.TypeOf(tc.into).Elem()).Interface()
			if err := json.Unmarshal([]byte(tc.in), std); err != nil || !reflect.DeepEqual(std, tc.into) {
				t.Fatalf("encoding/json differs: %+v, %v", std, err)
			}
		})
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	deep := nest("[", "]", 33, "")
	cases := []struct {
		name, in string
		into     any
		path     string // the Error's Path
		reason   string // part of the Error's Reason
	}{
		{"empty", ``, new(item), "", "unexpected end"},
		{"whitespace", " \n\t", new(item), "", "unexpected end"},
		{"not JSON", `not json`, new(item), "", "invalid literal, expected null"},
		{"not JSON either", `x`, new(item), "", "invalid character 'x' looking for a value"},
		{"truncated", `{"businessType":"meter"`, new(item), "", "unexpected end"},
		{"trailing data", `{"businessType":"meter"} {"x":1}`, new(item), "", "after the JSON value"},
		{"trailing comma", `{"data":[1,2,]}`, new(item), "data[2]", "invalid character ']'"},
		{"bad literal", `{"data":tru}`, new(item), "data", "expected true"},
		{"bad number", `{"data":01}`, new(item), "", "invalid character '1'"},
		{"bad escape", `{"businessId":"\x"}`, new(item), "businessId", `invalid escape \x`},
		{"raw control character", "{\"businessId\":\"a\x01b\"}", new(item), "businessId", "control character"},

		{"case-mismatched field", `{"BUSINESSID":"m-1"}`, new(item), "", `unknown field "BUSINESSID"`},
		{"case-mismatched field in a batch item", `{"items":[{},{"businessid":"m-1"}]}`, new(batch), "items[1]", `unknown field "businessid"`},
		{"misspelt field", `{"businesId":"m-1"}`, new(item), "", `unknown field "businesId"`},
		{"skipped field", `{"Skip":"x"}`, new(kinds), "", `unknown field "Skip"`},
		{"unexported field", `{"inner":"x"}`, new(kinds), "", `unknown field "inner"`},

		{"duplicate key", `{"businessId":"*","businessId":"ok"}`, new(item), "", `duplicate key "businessId"`},
		{"duplicate key spelt with an escape", `{"businessId":"*","\u0062usinessId":"ok"}`, new(item), "", `duplicate key "businessId"`},
		{"duplicate key in data", `{"data":{"a":{"b":1,"b":2}}}`, new(item), "data.a", `duplicate key "b"`},
		{"duplicate key in a large object", `{"data":{` + manyKeys(100, true) + `}}`, new(item), "data", `duplicate key "k0"`},
		{"duplicate key in a map", `{"a":1,"a":2}`, new(map[string]int), "", `duplicate key "a"`},
		{"duplicate key in any", `[{"a":1,"a":2}]`, new(any), "[0]", `duplicate key "a"`},
		{"duplicate key in a batch item", `{"items":[{"time":1,"time":2}]}`, new(batch), "items[0]", `duplicate key "time"`},
		{"duplicate items", `{"items":[],"items":[{}]}`, new(batch), "", `duplicate key "items"`},

		{"invalid UTF-8 in a value", "{\"businessId\":\"m-\xff\"}", new(item), "businessId", "invalid UTF-8"},
		{"invalid UTF-8 in data", "{\"data\":{\"a\":[\"\xc3\x28\"]}}", new(item), "data.a[0]", "invalid UTF-8"},
		{"invalid UTF-8 in a key", "{\"data\":{\"\xed\xa0\x80\":1}}", new(item), "data", "invalid UTF-8"},
		{"UTF-8 encoded surrogate", "{\"businessId\":\"\xed\xa0\x80\"}", new(item), "businessId", "invalid UTF-8"},
		{"overlong UTF-8", "{\"businessId\":\"\xc0\xaf\"}", new(item), "businessId", "invalid UTF-8"},
		{"lone high surrogate escape", `{"businessId":"\ud800"}`, new(item), "businessId", `lone surrogate escape \ud800`},
		{"high surrogate then not a low one", `{"businessId":"\ud800\u0041"}`, new(item), "businessId", "lone surrogate"},
		{"lone low surrogate escape", `{"data":{"x":"\uDC00"}}`, new(item), "data.x", "lone surrogate"},
		{"surrogate escape in a key", `{"data":{"\ud800":1}}`, new(item), "data", "lone surrogate"},

		{"33 levels of data", `{"data":` + deep + `}`, new(item), "data", "nested deeper than 32 levels"},
		{"33 levels of data objects", `{"items":[{"data":` + nest(`{"a":`, "}", 33, "1") + `}]}`, new(batch), "items[0].data", "nested deeper than 32 levels"},
		{"9990 levels of data", `{"data":` + nest("[", "]", 9990, "") + `}`, new(item), "data", "nested deeper than 32 levels"},
		{"33 levels into any", deep, new(any), "", "nested deeper than 32 levels"},
		{"a recursive type 65 deep", nest(`{"next":`, "}", 65, "{}"), new(kinds), strings.TrimPrefix(strings.Repeat(".next", 64), "."), "nested deeper than 64 levels"},
		{"unclosed depth", nest("[", "", 100000, ""), new(any), "", "nested deeper"},

		{"string for an integer", `{"time":"now"}`, new(item), "time", "must be an integer, got a string"},
		{"fraction for an integer", `{"time":1.5}`, new(item), "time", "must be an integer, got 1.5"},
		{"exponent for an integer", `{"time":1e3}`, new(item), "time", "must be an integer, got 1e3"},
		{"integer out of range", `{"i8":128}`, new(kinds), "i8", "must be an integer, got 128"},
		{"negative unsigned", `{"u":-1}`, new(kinds), "u", "non-negative integer"},
		{"float out of range", `{"f32":1e39}`, new(kinds), "f32", "must be a number"},
		{"number for a string", `{"businessType":7}`, new(item), "businessType", "must be a string, got a number"},
		{"object for a bool", `{"b":{}}`, new(kinds), "b", "must be true or false, got an object"},
		{"array for a struct", `{"ptr":[]}`, new(kinds), "ptr", "must be an object, got an array"},
		{"object for items", `{"items":{}}`, new(batch), "items", "must be an array, got an object"},
		{"number for an item", `{"items":[1]}`, new(batch), "items[0]", "must be an object, got a number"},
		{"string for a root struct", `"meter"`, new(item), "", "must be an object, got a string"},
		{"array for a root struct", `[{"businessType":"meter"}]`, new(item), "", "must be an object, got an array"},
		{"bad base64 (encoding/json's check)", `{"bytes":"!!"}`, new(kinds), "", "illegal base64"},
		{"bad ,string value (encoding/json's check)", `{"q":"x"}`, new(kinds), "", "invalid use of ,string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := strictjson.Unmarshal([]byte(tc.in), tc.into)
			var e *strictjson.Error
			if !errors.As(err, &e) {
				t.Fatalf("want an *Error, got %v", err)
			}
			if e.Path != tc.path || !strings.Contains(e.Reason, tc.reason) {
				t.Fatalf("got path %q reason %q; want path %q reason with %q", e.Path, e.Reason, tc.path, tc.reason)
			}
		})
	}
}

func TestUnmarshalNeedsAPointer(t *testing.T) {
	var it item
	for _, v := range []any{nil, it, (*item)(nil)} {
		var invalid *json.InvalidUnmarshalError
		if err := strictjson.Unmarshal([]byte(`{}`), v); !errors.As(err, &invalid) {
			t.Errorf("Unmarshal into %T: %v", v, err)
		}
	}
}

func TestCheck(t *testing.T) {
	for in, ok := range map[string]bool{
		`{"a":[1,{"b":null}]}`:   true,
		`{"a":1,"a":2}`:          false,
		`"\udfff"`:               false,
		nest("[", "]", 32, ""):   true,
		nest("[", "]", 33, ""):   false,
		`{"a":1} x`:              false,
		"\"\xff\"":               false,
		`{"BUSINESSID":"any"}`:   true, // free-form: no fields to match
		``:                       false,
		`12345678901234567890e9`: true,
	} {
		if err := strictjson.Check([]byte(in)); (err == nil) != ok {
			t.Errorf("Check(%.40q) = %v, want ok %v", in, err, ok)
		}
	}
}

func TestErrorText(t *testing.T) {
	if got := (&strictjson.Error{Path: "items[3].data", Reason: "r"}).Error(); got != "items[3].data: r" {
		t.Errorf("got %q", got)
	}
	if got := (&strictjson.Error{Reason: "r"}).Error(); got != "r" {
		t.Errorf("got %q", got)
	}
	// A key that is not a plain name is quoted in the path, and long ones are shortened.
	err := strictjson.Unmarshal([]byte(`{"data":{"a.b\n":{"`+strings.Repeat("k", 100)+`":{"c":1,"c":2}}}}`), new(item))
	want := `data["a.b\n"]["` + strings.Repeat("k", 64) + `..."]: duplicate key "c"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// manyKeys lists n distinct members, and k0 once more at the end when dup.
func manyKeys(n int, dup bool) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":1`)
	}
	if dup {
		b.WriteString(`,"k0":2`)
	}
	return b.String()
}
