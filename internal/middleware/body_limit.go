package middleware

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gogf/gf/v2/net/ghttp"

	"pulse/internal/consts"
)

// BodyLimit reads the request body under the server's clientMaxBodySize and answers 413 when it
// is larger. GoFrame would turn the same overrun into a 500 when it reads the body itself.
func BodyLimit(r *ghttp.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			WriteError(r, consts.CodeBodyTooLarge, fmt.Sprintf("request body over %d bytes", tooLarge.Limit))
			return
		}
		WriteError(r, consts.CodeInvalidInput, "reading request body: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.Middleware.Next()
}
