// Package consts holds the error codes Pulse answers with and the HTTP status of each.
package consts

import (
	"net/http"

	"github.com/gogf/gf/v2/errors/gcode"
)

// Error codes of the {code,message} bodies. Where GoFrame has a code for the class of fault, Pulse
// uses it; the two without one have their own.
var (
	CodeInvalidInput         = gcode.CodeValidationFailed                         // 51: bad JSON, field or path
	CodeNotAuthorized        = gcode.CodeNotAuthorized                            // 61
	CodeOriginForbidden      = gcode.CodeSecurityReason                           // 62: Origin not allowed
	CodeUnavailable          = gcode.CodeServerBusy                               // 63: connection limit, shutting down, bus down
	CodeNotFound             = gcode.CodeNotFound                                 // 65
	CodeBodyTooLarge         = gcode.New(1413, "Request Body Too Large", nil)     // 413
	CodeUpgradeRequired      = gcode.New(1426, "WebSocket Upgrade Required", nil) // 426
	CodeConflict             = gcode.New(1409, "Conflict", nil)                   // 409: the state forbids the change
	CodeMethodNotAllowed     = gcode.New(1405, "Method Not Allowed", nil)         // 405
	CodeUnsupportedMediaType = gcode.New(1415, "Unsupported Media Type", nil)     // 415: a body that is not JSON
	CodeInternal             = gcode.CodeInternalError                            // 50
)

// HTTPStatus is the status that goes with an error code.
func HTTPStatus(code gcode.Code) int {
	switch code.Code() {
	case gcode.CodeValidationFailed.Code(), gcode.CodeInvalidParameter.Code(),
		gcode.CodeMissingParameter.Code(), gcode.CodeInvalidRequest.Code():
		return http.StatusBadRequest
	case CodeNotAuthorized.Code():
		return http.StatusUnauthorized
	case CodeOriginForbidden.Code():
		return http.StatusForbidden
	case CodeNotFound.Code():
		return http.StatusNotFound
	case CodeUnavailable.Code():
		return http.StatusServiceUnavailable
	case CodeBodyTooLarge.Code():
		return http.StatusRequestEntityTooLarge
	case CodeUpgradeRequired.Code():
		return http.StatusUpgradeRequired
	case CodeConflict.Code():
		return http.StatusConflict
	case CodeMethodNotAllowed.Code():
		return http.StatusMethodNotAllowed
	case CodeUnsupportedMediaType.Code():
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}
