// Package middleware holds Pulse's HTTP middleware.
package middleware

import (
	"strconv"

	"github.com/gogf/gf/v2/errors/gcode"
	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gogf/gf/v2/os/glog"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

// Envelope is the unified response body.
type Envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

// Response writes a handler's result as {code,message,data} like GoFrame's
// MiddlewareHandlerResponse, but with the HTTP status that goes with the error code.
func Response(r *ghttp.Request) {
	r.Middleware.Next()
	if r.Response.BufferLength() > 0 || r.Response.BytesWritten() > 0 {
		return
	}
	err := r.GetError()
	if err == nil {
		writeJSON(r, Envelope{Data: r.GetHandlerResponse()})
		return
	}
	code, message := answer(withoutHeader(r.Response.Header(), err))
	if code == consts.CodeInternal {
		glog.Errorf(r.Context(), "%s %s: %+v", r.Method, r.URL.Path, err)
	}
	// Answered in full: GoFrame's error log would print a stack for every client mistake.
	r.SetError(nil)
	WriteError(r, code, message)
}

// WriteError answers with the status of code and {code,message}.
func WriteError(r *ghttp.Request, code gcode.Code, message string) {
	r.Response.ClearBuffer()
	r.Response.WriteHeader(consts.HTTPStatus(code))
	writeJSON(r, Envelope{Code: code.Code(), Message: message})
}

// writeJSON buffers e as the whole body and says how long it is. GoFrame sends a buffered body with
// a flush, which without a length makes net/http send it chunked and end it with a write of its
// own: a second system call for every answer.
func writeJSON(r *ghttp.Request, e Envelope) {
	r.Response.WriteJson(e)
	r.Response.Header().Set("Content-Length", strconv.Itoa(r.Response.BufferLength()))
}

// NotFound gives unknown routes the JSON shape too (a handler's own 404 is left as it is).
func NotFound(r *ghttp.Request) {
	if r.Response.BufferLength() > 0 {
		return
	}
	WriteError(r, consts.CodeNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
}

// InternalError gives a failure outside any handler the JSON shape, without its text.
func InternalError(r *ghttp.Request) {
	if r.Response.BufferLength() > 0 {
		return
	}
	WriteError(r, consts.CodeInternal, "internal error")
}
