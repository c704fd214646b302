// Package errcode numbers the error codes Pulse answers with, in HTTP bodies and WebSocket error
// messages alike. It imports nothing, so that the engine (internal/hub), which knows nothing of
// GoFrame, sends the same numbers as the HTTP API; package consts turns them into GoFrame codes
// and gives each its HTTP status.
//
// Where GoFrame has a code for the class of fault, the number is GoFrame's; the others echo the
// HTTP status they come with (1405 with 405, ...).
package errcode

const (
	Internal             = 50   // an internal error; its cause is logged, not told
	InvalidInput         = 51   // bad JSON, field, path or handshake (GoFrame's "Validation Failed")
	UnknownType          = 59   // a WebSocket message type the server does not handle (GoFrame's "Not Supported")
	NotAuthorized        = 61   // no or bad credentials
	OriginForbidden      = 62   // Origin not allowed (GoFrame's "Security Reason")
	Unavailable          = 63   // connection limit, shutting down, store or bus down (GoFrame's "Server Is Busy")
	NotFound             = 65   // no such endpoint or alarm
	Forbidden            = 1403 // valid credentials that do not cover the request
	MethodNotAllowed     = 1405 // a method the path does not document
	Conflict             = 1409 // the state forbids the change
	AmbiguousAlarm       = 1410 // a short alarm path names alarms of several businesses in scope (409)
	InFlight             = 1411 // a request with the same Idempotency-Key is still being handled
	BodyTooLarge         = 1413 // a request body over ingest.maxBodySize
	UnsupportedMediaType = 1415 // a POST body that is not JSON
	KeyReused            = 1422 // an Idempotency-Key sent again with another body
	UpgradeRequired      = 1426 // a plain request to a WebSocket endpoint
	TooManyRequests      = 1429 // an ingest key over its rate
)
