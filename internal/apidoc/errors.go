package apidoc

import (
	"net/http"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/net/goai"

	"github.com/pulse-monitoring/pulse/internal/consts/errcode"
)

// refusal is what the description says about one error status.
type refusal struct {
	code        int    // the envelope's code
	description string // when the status is answered
	example     string // a message of the server's
	header      string // a header the answer carries, when it has one
	headerDoc   string
}

// refusals are the error statuses the API answers, with the codes and messages of the server.
var refusals = map[int]refusal{
	http.StatusBadRequest: {errcode.InvalidInput, "invalid input: the message names the field (items[i].field in a batch) and why",
		`items[1].level: must be one of critical, major, minor, warning, info; got "fatal"`, "", ""},
	http.StatusUnauthorized: {errcode.NotAuthorized, "auth on: no credential, or one that is not valid",
		"no token: send it as Authorization: Bearer <jwt>", "WWW-Authenticate", "Bearer"},
	http.StatusForbidden: {errcode.Forbidden, "auth on: valid credentials that do not cover the request (a business outside the token's or the key's patterns, an acknowledgement without \"ack\": true); a batch with one such item is refused whole",
		`alarm "a-17" is not in your token's alarms patterns`, "", ""},
	http.StatusNotFound: {errcode.NotFound, "no such alarm; with auth on, also an alarm outside the token's alarms patterns (answered exactly as an unknown one)", `alarm "a-17" not found`, "", ""},
	http.StatusConflict: {errcode.Conflict, "the alarm's state forbids the change (1409), or a short path's alarmId names alarms of several businesses in your scope (1410: use /alarms/{businessType}/{businessId}/{alarmId})",
		`alarm "a-17" is cleared: there is nothing to acknowledge`, "", ""},
	http.StatusRequestEntityTooLarge: {errcode.BodyTooLarge, "the body is larger than ingest.maxBodySize",
		"request body over 1048576 bytes (ingest.maxBodySize)", "", ""},
	http.StatusUnsupportedMediaType: {errcode.UnsupportedMediaType, "the body is not application/json (UTF-8)",
		`Content-Type must be application/json (UTF-8), got "text/plain"`, "", ""},
	http.StatusUnprocessableEntity: {errcode.KeyReused, "the Idempotency-Key was used with another body within ingest.idempotencyWindow: use a new key for another request",
		`Idempotency-Key "k-1" was used with another body: a retry must send the same bytes; use a new key for another request`, "", ""},
	http.StatusTooManyRequests: {errcode.TooManyRequests, "auth on: the ingest key is over its rate in items (auth.ingestKeys rate), or the user (the token's sub) over auth.userRate",
		`ingest key "meter-gateway" is over its rate (auth.ingestKeys rate): retry after 2 s`, "Retry-After", "seconds to wait before retrying"},
	http.StatusServiceUnavailable: {errcode.Unavailable, "a dependency is down (the bus, the alarm store) or the server is shutting down: retry later; nothing was accepted",
		"alarm store unavailable: writes to the database fail; retry later", "", ""},
	0: {errcode.Internal, "any other refusal: 405 for a method the path does not have (header Allow lists those it has), 404 for a path that is no endpoint, 500 for an internal error (its cause is logged, not told)",
		"POST is not allowed on /api/v1/alarms: use GET", "", ""},
}

// ingestInFlight is the 409 of the ingest routes.
var ingestInFlight = refusal{errcode.InFlight, "a request with the same Idempotency-Key is still being handled: retry once it is answered",
	`duplicate request still in flight: the request with Idempotency-Key "k-1" is still being handled; retry once it is answered`, "", ""}

// errorResponse is the answer of an error status (0: the default answer) with the envelope
// {code, message, data: null}.
func errorResponse(status int, credential string) *goai.Response {
	r := refusals[status]
	example, code := r.example, r.code
	switch {
	case status == http.StatusUnauthorized && credential == credentialIngestKey:
		example = "no ingest key: send it as Authorization: Bearer <key> or X-API-Key: <key>"
	case status == http.StatusUnauthorized && credential == credentialKeyOrToken:
		example = "no credential: send an ingest key (Authorization: Bearer <key> or X-API-Key: <key>) or a token (Authorization: Bearer <jwt>)"
	case status == http.StatusConflict && credential == credentialIngestKey:
		r = ingestInFlight
		example, code = r.example, r.code
	}
	if status == 0 {
		code = errcode.MethodNotAllowed
	}
	response := &goai.Response{
		Description: r.description,
		Content: goai.Content{"application/json": {
			Schema:  &goai.SchemaRef{Ref: ErrorSchema},
			Example: map[string]any{"code": code, "message": example, "data": nil},
		}},
	}
	if r.header != "" {
		response.Headers = goai.Headers{r.header: {Value: &goai.Header{Parameter: goai.Parameter{
			Description: r.headerDoc,
			Schema:      &goai.SchemaRef{Value: &goai.Schema{Type: goai.TypeString}},
		}}}}
	}
	return response
}

// errorSchema is the envelope of a refusal.
func errorSchema() *goai.Schema {
	props := &goai.Schemas{}
	props.Set("code", goai.SchemaRef{Value: &goai.Schema{Type: goai.TypeInteger,
		Description: "what went wrong: 51 invalid input, 61 not authorized, 63 unavailable, 65 not found, 1403 forbidden, 1405 method not allowed, 1409 conflict, 1410 ambiguous alarmId, 1411 duplicate request in flight, 1413 body too large, 1415 not JSON, 1422 idempotency key reused, 1429 too many requests, 50 internal"}})
	props.Set("message", goai.SchemaRef{Value: &goai.Schema{Type: goai.TypeString, Description: "why, for people"}})
	props.Set("data", goai.SchemaRef{Value: &goai.Schema{Nullable: true, Description: "null"}})
	return &goai.Schema{Type: goai.TypeObject, Required: []string{"code", "message"}, Properties: props,
		Description: "a refusal: {code, message, data: null}"}
}

// securitySchemes are the credentials of auth on: a user's JWT, an ingest key as a bearer token
// or in X-API-Key.
func securitySchemes() goai.SecuritySchemes {
	return goai.SecuritySchemes{
		TokenScheme: {Value: &goai.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "a user's token (pulse token, or your identity provider): its pulse claim grants rowdata and alarms patterns and ack"}},
		KeyBearerScheme: {Value: &goai.SecurityScheme{Type: "http", Scheme: "bearer",
			Description: "an ingest key (pulse key) as Authorization: Bearer <key>"}},
		KeyHeaderScheme: {Value: &goai.SecurityScheme{Type: "apiKey", In: "header", Name: "X-API-Key",
			Description: "an ingest key (pulse key) as X-API-Key: <key>"}},
	}
}

func errorf(format string, args ...any) error {
	return gerror.Newf("api description: "+format, args...)
}
