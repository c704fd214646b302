package health

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "pulse/api/health/v1"
	"pulse/internal/consts"
)

// readyTimeout bounds each check, so a hung dependency answers "not ready" rather than nothing.
const readyTimeout = 2 * time.Second

// Readyz answers 200 when every check passes, else 503 naming each failing dependency.
func (c *ControllerV1) Readyz(ctx context.Context, _ *v1.ReadyzReq) (*v1.ReadyzRes, error) {
	res := &v1.ReadyzRes{Status: "ok", Checks: map[string]string{}}
	var failed []string
	for name, check := range c.checks {
		cctx, cancel := context.WithTimeout(ctx, readyTimeout)
		err := check(cctx)
		cancel()
		if err != nil {
			res.Checks[name] = err.Error()
			failed = append(failed, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		res.Checks[name] = "ok"
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		return nil, gerror.NewCodef(consts.CodeUnavailable, "not ready: %s", strings.Join(failed, "; "))
	}
	return res, nil
}
