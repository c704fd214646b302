package alarm

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// decodeBody reads the request's JSON body strictly into v: an object of v's fields, or no body.
func decodeBody(ctx context.Context, v any) error {
	body := middleware.Body(ctx)
	if len(body) == 0 {
		return nil
	}
	if err := strictjson.Unmarshal(body, v); err != nil {
		return gerror.NewCodef(consts.CodeInvalidInput, "body: %v", err)
	}
	return nil
}
