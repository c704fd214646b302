package alarm

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gogf/gf/v2/errors/gerror"

	v1 "github.com/pulse-monitoring/pulse/api/alarm/v1"
	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
)

// List handles GET /api/v1/alarms: with auth on, only the alarms of the token's alarms patterns,
// and a token without any is refused as at the console's door.
func (c *ControllerV1) List(ctx context.Context, req *v1.ListReq) (*v1.ListRes, error) {
	id, authed := auth.FromContext(ctx)
	if authed && len(id.Alarms) == 0 {
		return nil, gerror.NewCode(consts.CodeForbidden, "your token grants no alarms (its pulse claim has no alarms patterns)")
	}
	q, err := listQuery(req)
	if err != nil {
		return nil, err
	}
	items, next, err := c.svc.List(ctx, q, scopeOf(id, authed))
	if err != nil {
		return nil, err
	}
	res := &v1.ListRes{Items: items}
	if next != nil {
		res.NextCursor = next.String()
	}
	return res, nil
}

var (
	statuses = []string{model.StatusActive, model.StatusAcked, model.StatusCleared}
	levels   = []string{model.LevelCritical, model.LevelMajor, model.LevelMinor, model.LevelWarning, model.LevelInfo}
)

// listQuery reads the list's query parameters, or says which one is wrong (400).
func listQuery(req *v1.ListReq) (alarm.ListQuery, error) {
	q := alarm.ListQuery{Limit: req.Limit, Text: req.Q}
	var err error
	if q.Statuses, err = commaList("status", req.Status, statuses); err != nil {
		return q, err
	}
	if q.Levels, err = commaList("level", req.Level, levels); err != nil {
		return q, err
	}
	if req.Business != "" {
		p, err := model.ParsePattern(req.Business)
		if err != nil {
			return q, gerror.NewCodef(consts.CodeInvalidInput, "business: %v", err)
		}
		q.Business = &p
	}
	if strings.ContainsFunc(req.Q, unicode.IsControl) {
		return q, gerror.NewCode(consts.CodeInvalidInput, "q: must not contain control characters")
	}
	if q.From, err = unixMs("from", req.From); err != nil {
		return q, err
	}
	if q.To, err = unixMs("to", req.To); err != nil {
		return q, err
	}
	if req.Cursor != "" {
		c, err := alarm.ParseCursor(req.Cursor)
		if err != nil {
			return q, err
		}
		q.After = &c
	}
	return q, nil
}

// commaList reads a comma list of values of known (empty: none).
func commaList(name, s string, known []string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	list := strings.Split(s, ",")
	for _, v := range list {
		if !slices.Contains(known, v) {
			return nil, gerror.NewCodef(consts.CodeInvalidInput, "%s: %.32q is not one of %s (one, or a comma list)", name, v, strings.Join(known, ", "))
		}
	}
	return list, nil
}

// unixMs reads a time in unix ms (empty: none).
func unixMs(name, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "%s: %.32q is not a time in unix ms (an integer)", name, s)
	}
	return &n, nil
}
