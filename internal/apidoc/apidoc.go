// Package apidoc completes the OpenAPI description GoFrame generates from the api/** types
// (served at server.openapiPath, /api.json) with what its generator cannot express: the
// {code,message,data} envelope around each answer, the error statuses of each endpoint, the JSON
// bodies (which the guard reads and internal/strictjson decodes, so GoFrame never sees them),
// the credentials, and JSON values typed as such rather than as arrays of bytes.
//
// Besides GoFrame's own, it reads these tags of a request type's g.Meta: credential (what the
// route takes with auth on, as the guard reads it), errors (the statuses the handler itself may
// answer, e.g. "404,409,503"; those of the guard and the credentials are added here) and
// bodyRequired. A request type with a body names its forms with a Bodies method (Bodied).
package apidoc

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gogf/gf/v2/net/goai"
	"github.com/gogf/gf/v2/util/gmeta"

	"github.com/pulse-monitoring/pulse/internal/idempotency"
)

// Input describes the API to Complete.
type Input struct {
	Title, Version, Description string
	// Prefix is where the API's routes are mounted ("/api/v1"); Routes are their request types
	// (&v1.AckReq{}, ...), read by their g.Meta. Plain are the routes outside the API (health).
	Prefix string
	Routes []any
	Plain  []any
	// Responses are the routes' response types (&v1.AckRes{}, ...): what they always send is
	// required.
	Responses []any
}

// Bodied is a request type that names the forms of its JSON body (a single item, a batch): the
// guard hands the body to the handler, which decodes it strictly, so GoFrame's generator cannot
// see it.
type Bodied interface {
	// Bodies are the forms the body may take, one of them (oneOf).
	Bodies() []any
}

// Names of the schemas and security schemes Complete adds.
const (
	ErrorSchema     = "Error"
	TokenScheme     = "bearerToken"
	KeyBearerScheme = "ingestKeyBearer"
	KeyHeaderScheme = "ingestKeyHeader"
)

// The credentials a route's g.Meta may name (as the guard reads them: middleware.Credential*).
const (
	credentialToken      = "token"
	credentialIngestKey  = "ingestKey"
	credentialKeyOrToken = "ingestKeyOrToken"
)

// Complete adjusts oai, as GoFrame generated it from the routes, into the API's full description
// and encodes it.
func Complete(oai *goai.OpenApiV3, in Input) ([]byte, error) {
	oai.Info = goai.Info{Title: in.Title, Version: in.Version, Description: in.Description}
	oai.Components.SecuritySchemes = securitySchemes()
	oai.Components.Schemas.Set(ErrorSchema, goai.SchemaRef{Value: errorSchema()})
	var closed []string
	for _, req := range in.Routes {
		forms, err := completeOperation(oai, in.Prefix, req, true)
		if err != nil {
			return nil, err
		}
		closed = append(closed, forms...)
	}
	for _, req := range in.Plain {
		if _, err := completeOperation(oai, "", req, false); err != nil {
			return nil, err
		}
	}
	tidySchemas(oai, append(slices.Clone(in.Routes), in.Plain...))
	requireSent(oai, in.Responses)
	return marshal(oai, closed)
}

// completeOperation completes the operation of req's route: its body, its answers, its
// credentials. api is whether the route is one of the API's, which the guard checks for its
// method, query and body (and, with auth on, credential). forms are the schemas of its body.
func completeOperation(oai *goai.OpenApiV3, prefix string, req any, api bool) (forms []string, err error) {
	path := prefix + gmeta.Get(req, "path").String()
	method := strings.ToUpper(gmeta.Get(req, "method").String())
	credential := gmeta.Get(req, "credential").String()
	item, ok := oai.Paths[path]
	if !ok {
		return nil, errorf("no generated path %s: is the route bound?", path)
	}
	op := item.Get
	switch method {
	case http.MethodPost:
		op = item.Post
	case http.MethodDelete:
		op = item.Delete
	}
	if op == nil {
		return nil, errorf("no generated operation %s %s", method, path)
	}
	op.OperationID = operationID(req)
	useDeclaredParameters(oai, op, req)
	switch b := req.(type) {
	case Bodied:
		var body *goai.RequestBody
		body, forms, err = requestBody(oai, b, gmeta.Get(req, "bodyRequired").Bool())
		if err != nil {
			return nil, err
		}
		op.RequestBody = &goai.RequestBodyRef{Value: body}
	default:
		op.RequestBody = nil
	}
	if err := envelopeSuccess(oai, op, req); err != nil {
		return nil, err
	}
	sayReplayed(op)
	statuses := errorStatuses(method, credential, api)
	for _, s := range strings.Split(gmeta.Get(req, "errors").String(), ",") {
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, errorf("%s %s: errors tag %q: not a status", method, path, s)
			}
			statuses = append(statuses, n)
		}
	}
	slices.Sort(statuses)
	for _, status := range slices.Compact(statuses) {
		op.Responses[strconv.Itoa(status)] = goai.ResponseRef{Value: errorResponse(status, credential)}
	}
	op.Responses["default"] = goai.ResponseRef{Value: errorResponse(0, credential)}
	switch credential {
	case credentialToken:
		op.Security = &goai.SecurityRequirements{{TokenScheme: {}}}
	case credentialIngestKey:
		op.Security = &goai.SecurityRequirements{{KeyBearerScheme: {}}, {KeyHeaderScheme: {}}}
	case credentialKeyOrToken:
		op.Security = &goai.SecurityRequirements{{TokenScheme: {}}, {KeyBearerScheme: {}}, {KeyHeaderScheme: {}}}
	}
	oai.Paths[path] = item
	return forms, nil
}

// errorStatuses are the refusals the guard and the credentials give a route, whatever its
// handler does: invalid query or body (400); on a POST, a body too large (413) or not JSON (415);
// with auth on, no or a bad credential (401), one that does not cover the request (403) and, for
// ingest keys, over its rate (429).
func errorStatuses(method, credential string, api bool) []int {
	var s []int
	if api {
		s = append(s, http.StatusBadRequest)
	}
	if api && method == http.MethodPost {
		s = append(s, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	switch credential {
	case credentialToken:
		s = append(s, http.StatusUnauthorized, http.StatusForbidden)
	case credentialIngestKey, credentialKeyOrToken:
		s = append(s, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests)
	}
	return s
}

// operationID is a request type's name without its "Req", prefixed by its package's API name:
// alarm.v1.AckReq → alarmAck. Generated clients name their methods by it.
func operationID(req any) string {
	t := reflect.TypeOf(req)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	parts := strings.Split(t.PkgPath(), "/") // pulse/api/alarm/v1
	api := t.PkgPath()
	if len(parts) >= 2 {
		api = parts[len(parts)-2]
	}
	name := strings.TrimSuffix(t.Name(), "Req")
	if strings.EqualFold(name, api) || strings.HasPrefix(strings.ToLower(name), strings.ToLower(api)) {
		return strings.ToLower(name[:1]) + name[1:]
	}
	return api + name
}

// useDeclaredParameters gives each parameter the schema of its field in the request type, with
// the bounds of its validation rule (GoFrame puts them on the type's schema, not on the
// parameter's).
func useDeclaredParameters(oai *goai.OpenApiV3, op *goai.Operation, req any) {
	declared := oai.Components.Schemas.Get(schemaName(req))
	if declared == nil || declared.Value == nil || declared.Value.Properties == nil {
		return
	}
	for i := range op.Parameters {
		p := op.Parameters[i].Value
		if p == nil {
			continue
		}
		if field := declared.Value.Properties.Get(p.Name); field != nil && field.Value != nil {
			schema := *field.Value
			p.Schema = &goai.SchemaRef{Value: &schema}
		}
	}
}

// schemaName is the name GoFrame gives v's schema: its package path with dots, and its name.
func schemaName(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return schemaNameOf(t)
}

func schemaNameOf(t reflect.Type) string {
	return strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + t.Name()
}

// requestBody is the JSON body of a Bodied request: one of its forms, each a schema of its own
// that refuses unknown fields (as internal/strictjson does).
func requestBody(oai *goai.OpenApiV3, b Bodied, required bool) (*goai.RequestBody, []string, error) {
	var refs goai.SchemaRefs
	var names []string
	for _, form := range b.Bodies() {
		if err := oai.Add(goai.AddInput{Object: form}); err != nil {
			return nil, nil, err
		}
		names = append(names, schemaName(form))
		refs = append(refs, goai.SchemaRef{Ref: schemaName(form)})
	}
	if len(refs) == 0 {
		return nil, nil, errorf("%T names no body forms", b)
	}
	schema := &refs[0]
	if len(refs) > 1 {
		// A schema of its own, named after the request (AlarmReq: AlarmBody): generators make a
		// type of it that encodes itself (oapi-codegen's for an inline oneOf does not).
		name := strings.TrimSuffix(schemaName(b), "Req") + "Body"
		oai.Components.Schemas.Set(name, goai.SchemaRef{Value: &goai.Schema{OneOf: refs,
			Description: "one item, or {\"items\":[...]} with 1 to 1000 of them"}})
		schema = &goai.SchemaRef{Ref: name}
	}
	return &goai.RequestBody{
		Required: required,
		Content:  goai.Content{"application/json": {Schema: schema}},
	}, names, nil
}

// envelopeSuccess makes the 200 answer {code: 0, message: "", data: <the response type>}, with
// data a reference to the response type's schema (GoFrame copies its fields into the answer).
// The response type is the request type's namesake: AckReq answers AckRes.
func envelopeSuccess(oai *goai.OpenApiV3, op *goai.Operation, req any) error {
	name := strings.TrimSuffix(schemaName(req), "Req") + "Res"
	if oai.Components.Schemas.Get(name) == nil {
		return errorf("operation %s: no schema %s of its response type", op.OperationID, name)
	}
	op.Responses["200"] = goai.ResponseRef{Value: &goai.Response{
		Description: "done: data is the result",
		Content:     goai.Content{"application/json": {Schema: &goai.SchemaRef{Value: envelope(goai.SchemaRef{Ref: name})}}},
	}}
	return nil
}

// sayReplayed gives the 200 of an operation that takes an Idempotency-Key its Idempotent-Replayed
// header.
func sayReplayed(op *goai.Operation) {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == "header" && p.Value.Name == idempotency.Header {
			op.Responses["200"].Value.Headers = goai.Headers{idempotency.ReplayedHeader: {Value: &goai.Header{Parameter: goai.Parameter{
				Description: "\"true\" when this is the answer given before to a request with the same Idempotency-Key and body: nothing was done again",
				Schema:      &goai.SchemaRef{Value: &goai.Schema{Type: goai.TypeString, Enum: []any{"true"}}},
			}}}}
			return
		}
	}
}

// envelope is {code, message, data} with data as given.
func envelope(data goai.SchemaRef) *goai.Schema {
	props := &goai.Schemas{}
	props.Set("code", goai.SchemaRef{Value: &goai.Schema{Type: goai.TypeInteger, Description: "0: done", Example: 0}})
	props.Set("message", goai.SchemaRef{Value: &goai.Schema{Type: goai.TypeString, Description: "empty when done"}})
	props.Set("data", data)
	return &goai.Schema{Type: goai.TypeObject, Required: []string{"code", "message", "data"}, Properties: props}
}
