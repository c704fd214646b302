package apidoc

import (
	"reflect"
	"strings"

	"github.com/gogf/gf/v2/net/goai"
)

// requireSent marks, in the schemas of the response types and of the types they hold, every
// property the server always sends (one without omitempty) as required, so that generated
// clients give them plain fields rather than optional ones.
func requireSent(oai *goai.OpenApiV3, responses []any) {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		var required []string
		for _, f := range jsonFields(t) {
			if !f.omitEmpty {
				required = append(required, f.name)
			}
			walk(f.typ)
		}
		if ref := oai.Components.Schemas.Get(schemaNameOf(t)); ref != nil && ref.Value != nil {
			ref.Value.Required = required
		}
	}
	for _, r := range responses {
		walk(reflect.TypeOf(r))
	}
}

type jsonField struct {
	name      string
	omitEmpty bool
	typ       reflect.Type
}

// jsonFields are the fields encoding/json writes of struct type t, embedded structs' included.
func jsonFields(t reflect.Type) []jsonField {
	var fields []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				fields = append(fields, jsonFields(et)...)
				continue
			}
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, jsonField{name: name, omitEmpty: strings.Contains(","+opts+",", ",omitempty,"), typ: f.Type})
	}
	return fields
}
