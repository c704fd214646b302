package health

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gogf/gf/v2/errors/gcode"
	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/health/v1"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// readyTimeout bounds each check, so a hung dependency answers "not ready" rather than nothing.
const readyTimeout = 2 * time.Second

// Readyz answers 200 when every check passes, else 503 naming each failing dependency. Advisory
// checks are shown in the 200's checks, "ok" or why not, and never make it a 503.
func (c *ControllerV1) Readyz(ctx context.Context, _ *v1.ReadyzReq) (*v1.ReadyzRes, error) {
	res := &v1.ReadyzRes{Status: "ok", Checks: map[string]string{}}
	var failed []string
	for name, check := range c.checks {
		cctx, cancel := context.WithTimeout(ctx, readyTimeout)
		err := check(cctx)
		cancel()
		if err != nil {
			why := describe(name, err)
			res.Checks[name] = why
			failed = append(failed, name+": "+why)
			continue
		}
		res.Checks[name] = "ok"
	}
	for name, check := range c.advisory {
		cctx, cancel := context.WithTimeout(ctx, readyTimeout)
		err := check(cctx)
		cancel()
		res.Checks[name] = "ok"
		if err != nil {
			res.Checks[name] = describe(name, err)
		}
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		return nil, gerror.NewCodef(consts.CodeUnavailable, "not ready: %s", strings.Join(failed, "; "))
	}
	return res, nil
}

// describe says why a dependency is not ready without the driver's text, which may hold
// addresses and credentials: a check's own coded message is shown, anything else goes to the log.
func describe(name string, err error) string {
	if gerror.Code(err) != gcode.CodeNil && gerror.Unwrap(err) == nil {
		return err.Error()
	}
	const why = "unavailable (the server log has the error)"
	middleware.LogCause(http.StatusServiceUnavailable, "readyz: "+name+": "+why, err)
	return why
}
