// Package middleware holds Pulse's HTTP middleware.
package middleware

import (
	"net/http"

	"github.com/gogf/gf/v2/errors/gcode"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/net/ghttp"
	"github.com/gogf/gf/v2/os/glog"

	"pulse/internal/consts"
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
		r.Response.WriteJson(Envelope{Data: r.GetHandlerResponse()})
		return
	}
	code := gerror.Code(err)
	message := err.Error()
	if code == gcode.CodeNil || consts.HTTPStatus(code) == http.StatusInternalServerError {
		glog.Errorf(r.Context(), "%s %s: %+v", r.Method, r.URL.Path, err)
		code, message = consts.CodeInternal, "internal error"
	}
	// Answered in full: GoFrame's error log would print a stack for every client mistake.
	r.SetError(nil)
	WriteError(r, code, message)
}

// WriteError answers with the status of code and {code,message}.
func WriteError(r *ghttp.Request, code gcode.Code, message string) {
	r.Response.ClearBuffer()
	r.Response.WriteHeader(consts.HTTPStatus(code))
	r.Response.WriteJson(Envelope{Code: code.Code(), Message: message})
}

// NotFound gives unknown routes the JSON shape too.
func NotFound(r *ghttp.Request) {
	WriteError(r, consts.CodeNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
}
