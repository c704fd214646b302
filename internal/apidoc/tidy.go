package apidoc

import (
	"encoding/json"

	"github.com/gogf/gf/v2/net/goai"
)

// openAPIFormats are the formats OpenAPI 3.0 defines; GoFrame writes Go's type names into format
// too ("int", "string", "[]model.Alarm"), which generators would take for formats.
var openAPIFormats = map[string]bool{
	"int32": true, "int64": true, "float": true, "double": true, "byte": true, "binary": true,
	"date": true, "date-time": true, "password": true,
}

// rawJSON is GoFrame's format for a json.RawMessage field, which it types as an array of bytes:
// on the wire it is any JSON value.
const rawJSON = "json.RawMessage"

// tidySchemas drops the request types' schemas (their fields are the operations' parameters),
// the schema of the envelope's any, Go's type names in formats, and types json.RawMessage fields
// (and the items of []json.RawMessage ones) as any JSON value.
func tidySchemas(oai *goai.OpenApiV3, requests []any) {
	var drop []any
	for _, req := range requests {
		drop = append(drop, schemaName(req))
	}
	oai.Components.Schemas.Removes(append(drop, "interface"))
	oai.Components.Schemas.Iterator(func(_ string, ref goai.SchemaRef) bool {
		tidy(ref.Value)
		return true
	})
	for _, item := range oai.Paths {
		for _, op := range []*goai.Operation{item.Get, item.Post} {
			if op == nil {
				continue
			}
			for _, p := range op.Parameters {
				if p.Value != nil && p.Value.Schema != nil {
					tidy(p.Value.Schema.Value)
				}
			}
		}
	}
}

func tidy(s *goai.Schema) {
	if s == nil {
		return
	}
	if !openAPIFormats[s.Format] {
		s.Format = ""
	}
	if s.Type == "object" { // a map's eg tag holds JSON text, as a JSON value field's does
		s.Example = jsonExample(s.Example)
	}
	if s.Items != nil && s.Items.Value != nil && s.Items.Value.Format == rawJSON {
		s.Items = &goai.SchemaRef{Value: &goai.Schema{Description: "any JSON value, delivered as it was sent"}}
	}
	if s.Items != nil {
		tidy(s.Items.Value)
	}
	if s.AdditionalProperties != nil {
		tidy(s.AdditionalProperties.Value)
	}
	if s.Properties == nil {
		return
	}
	s.Properties.Iterator(func(name string, ref goai.SchemaRef) bool {
		if ref.Value != nil && ref.Value.Format == rawJSON {
			s.Properties.Set(name, goai.SchemaRef{Value: &goai.Schema{
				Description: joinDescription(ref.Value.Description, "any JSON value, delivered as it was sent"),
				Example:     jsonExample(ref.Value.Example),
			}})
			return true
		}
		tidy(ref.Value)
		return true
	})
}

func joinDescription(own, generic string) string {
	if own == "" {
		return generic
	}
	return own
}

// marshal encodes the description, with each of the closed schemas (the request bodies'
// forms) refusing properties it does not list, as internal/strictjson does. goai cannot say
// "additionalProperties": false; the forms of a body need it to be one of them and not both.
func marshal(oai *goai.OpenApiV3, closed []string) ([]byte, error) {
	raw, err := json.Marshal(oai)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	dropRefDescriptions(doc)
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	for _, name := range closed {
		if s, ok := schemas[name].(map[string]any); ok {
			s["additionalProperties"] = false
		}
	}
	return json.Marshal(doc)
}

// jsonExample is the example of a JSON value field: its eg tag holds the JSON text.
func jsonExample(eg any) any {
	text, ok := eg.(string)
	if !ok {
		return eg
	}
	var v any
	if json.Unmarshal([]byte(text), &v) != nil {
		return eg
	}
	return v
}

// dropRefDescriptions removes the empty descriptions goai writes next to each $ref (OpenAPI 3.0
// ignores a reference's siblings; some generators warn about them).
func dropRefDescriptions(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["$ref"]; ok && v["description"] == "" {
			delete(v, "description")
		}
		for _, child := range v {
			dropRefDescriptions(child)
		}
	case []any:
		for _, child := range v {
			dropRefDescriptions(child)
		}
	}
}
