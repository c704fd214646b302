package consts_test

import (
	"net/http"
	"testing"

	"github.com/gogf/gf/v2/errors/gcode"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

// Where GoFrame has a code for the class of fault, Pulse's is GoFrame's: equal as values, so that
// an error GoFrame raises (a failed validation, say) is answered like Pulse's own.
func TestCodesAreGoFramesWhereItHasOne(t *testing.T) {
	for _, tc := range []struct {
		pulse, goframe gcode.Code
	}{
		{consts.CodeInternal, gcode.CodeInternalError},
		{consts.CodeInvalidInput, gcode.CodeValidationFailed},
		{consts.CodeNotAuthorized, gcode.CodeNotAuthorized},
		{consts.CodeOriginForbidden, gcode.CodeSecurityReason},
		{consts.CodeUnavailable, gcode.CodeServerBusy},
		{consts.CodeNotFound, gcode.CodeNotFound},
	} {
		if tc.pulse != tc.goframe {
			t.Errorf("Pulse's code %d %q differs from GoFrame's %d %q", tc.pulse.Code(), tc.pulse.Message(), tc.goframe.Code(), tc.goframe.Message())
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		code gcode.Code
		want int
	}{
		{consts.CodeInternal, http.StatusInternalServerError},
		{consts.CodeInvalidInput, http.StatusBadRequest},
		{gcode.CodeInvalidParameter, http.StatusBadRequest},
		{gcode.CodeMissingParameter, http.StatusBadRequest},
		{gcode.CodeInvalidRequest, http.StatusBadRequest},
		{consts.CodeNotAuthorized, http.StatusUnauthorized},
		{consts.CodeOriginForbidden, http.StatusForbidden},
		{consts.CodeUnavailable, http.StatusServiceUnavailable},
		{consts.CodeNotFound, http.StatusNotFound},
		{consts.CodeMethodNotAllowed, http.StatusMethodNotAllowed},
		{consts.CodeConflict, http.StatusConflict},
		{consts.CodeAmbiguousAlarm, http.StatusConflict},
		{consts.CodeBodyTooLarge, http.StatusRequestEntityTooLarge},
		{consts.CodeUnsupportedMediaType, http.StatusUnsupportedMediaType},
		{consts.CodeUpgradeRequired, http.StatusUpgradeRequired},
		{consts.CodeForbidden, http.StatusForbidden},
		{consts.CodeTooManyRequests, http.StatusTooManyRequests},
		{consts.CodeInFlight, http.StatusConflict},
		{consts.CodeKeyReused, http.StatusUnprocessableEntity},
		{gcode.CodeNotSupported, http.StatusInternalServerError},
		{gcode.CodeNil, http.StatusInternalServerError},
	} {
		if got := consts.HTTPStatus(tc.code); got != tc.want {
			t.Errorf("HTTPStatus(%d) = %d, want %d", tc.code.Code(), got, tc.want)
		}
	}
}
