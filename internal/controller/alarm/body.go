package alarm

import (
	"bytes"
	"context"
	"encoding/json"
	"io"

	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/consts"
	"pulse/internal/middleware"
)

// decodeBody reads the request's JSON body into v: an object of v's fields, or no body at all.
func decodeBody(ctx context.Context, v any) error {
	body := middleware.Body(ctx)
	if len(body) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		if _, extra := d.Token(); extra != io.EOF {
			err = gerror.New("unexpected data after the JSON object")
		}
	}
	if err != nil {
		return gerror.NewCodef(consts.CodeInvalidInput, "body: %v", err)
	}
	return nil
}
