// Package consts holds the error codes Pulse answers with and the HTTP status of each.
package consts

import (
	"net/http"

	"github.com/gogf/gf/v2/errors/gcode"

	"github.com/pulse-monitoring/pulse/internal/consts/errcode"
)

// Error codes of the {code,message} bodies, numbered in package errcode. Where GoFrame has a code
// for the class of fault, the value equals GoFrame's own (gcode.CodeValidationFailed, ...), so that
// errors GoFrame raises and Pulse's compare equal.
var (
	CodeInternal             = gcode.New(errcode.Internal, "Internal Error", nil)
	CodeInvalidInput         = gcode.New(errcode.InvalidInput, "Validation Failed", nil)
	CodeNotAuthorized        = gcode.New(errcode.NotAuthorized, "Not Authorized", nil)
	CodeOriginForbidden      = gcode.New(errcode.OriginForbidden, "Security Reason", nil)
	CodeUnavailable          = gcode.New(errcode.Unavailable, "Server Is Busy", nil)
	CodeNotFound             = gcode.New(errcode.NotFound, "Not Found", nil)
	CodeForbidden            = gcode.New(errcode.Forbidden, "Forbidden", nil)
	CodeMethodNotAllowed     = gcode.New(errcode.MethodNotAllowed, "Method Not Allowed", nil)
	CodeConflict             = gcode.New(errcode.Conflict, "Conflict", nil)
	CodeAmbiguousAlarm       = gcode.New(errcode.AmbiguousAlarm, "Ambiguous Alarm", nil)
	CodeBodyTooLarge         = gcode.New(errcode.BodyTooLarge, "Request Body Too Large", nil)
	CodeUnsupportedMediaType = gcode.New(errcode.UnsupportedMediaType, "Unsupported Media Type", nil)
	CodeUpgradeRequired      = gcode.New(errcode.UpgradeRequired, "WebSocket Upgrade Required", nil)
	CodeTooManyRequests      = gcode.New(errcode.TooManyRequests, "Too Many Requests", nil)
	CodeInFlight             = gcode.New(errcode.InFlight, "Duplicate Request In Flight", nil)
	CodeKeyReused            = gcode.New(errcode.KeyReused, "Idempotency Key Reused", nil)
)

// HTTPStatus is the status that goes with an error code.
func HTTPStatus(code gcode.Code) int {
	switch code.Code() {
	case errcode.InvalidInput, gcode.CodeInvalidParameter.Code(),
		gcode.CodeMissingParameter.Code(), gcode.CodeInvalidRequest.Code():
		return http.StatusBadRequest
	case errcode.NotAuthorized:
		return http.StatusUnauthorized
	case errcode.OriginForbidden, errcode.Forbidden:
		return http.StatusForbidden
	case errcode.NotFound:
		return http.StatusNotFound
	case errcode.Unavailable:
		return http.StatusServiceUnavailable
	case errcode.BodyTooLarge:
		return http.StatusRequestEntityTooLarge
	case errcode.UpgradeRequired:
		return http.StatusUpgradeRequired
	case errcode.Conflict, errcode.AmbiguousAlarm, errcode.InFlight:
		return http.StatusConflict
	case errcode.KeyReused:
		return http.StatusUnprocessableEntity
	case errcode.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case errcode.UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case errcode.TooManyRequests:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}
