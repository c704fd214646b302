package alarm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// ListQuery is what GET /api/v1/alarms asks for: the alarms that pass every filter given, newest
// lastTime first, a page at a time.
type ListQuery struct {
	Statuses []string       // any of these; none: any status
	Levels   []string       // any of these; none: any level
	Business *model.Pattern // only the alarms of this pattern (within the caller's scope); nil: all
	// Text is a substring of the title or the content, compared in lower case (Go's
	// strings.ToLower, on both sides); "%" and "_" are themselves.
	Text     string
	From, To *int64 // lastTime (unix ms) from, to, both inclusive; nil: open
	Limit    int    // the page's size, 1 to 1000
	After    *Cursor
}

// Cursor is where a page ends in the list's order: (lastTime, first_seq) descending. An alarm's
// first_seq is the seq at which its row was stored and never changes, so the position of an alarm
// moves only when it is raised again (its lastTime). The next page is what comes after the cursor
// in that order when it is read: a walk through the pages sees every alarm that stays where it was
// exactly once, acknowledged or cleared in between or not; alarms raised (or raised again) during
// the walk go to the top, where a walk from the first page finds them.
type Cursor struct {
	LastMs, FirstSeq int64
}

// String is the cursor as the API hands it out: opaque, URL-safe, well under the guard's 128
// bytes of a query value.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", c.LastMs, c.FirstSeq))
}

// ParseCursor reads a cursor String wrote.
func ParseCursor(s string) (Cursor, error) {
	var c Cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		var rest string
		if n, _ := fmt.Sscanf(string(raw), "%d.%d%s", &c.LastMs, &c.FirstSeq, &rest); n != 2 || c.String() != s {
			err = fmt.Errorf("malformed")
		}
	}
	if err != nil {
		return c, gerror.NewCode(consts.CodeInvalidInput, "cursor: not one this server gave (pass data.nextCursor of the previous page as it is)")
	}
	return c, nil
}

// searchText is what ListQuery.Text searches in an alarm: its title and content in lower case,
// a newline between (Text holds none, so a match never spans both).
func searchText(a *model.Alarm) string {
	return strings.ToLower(a.Title) + "\n" + strings.ToLower(a.Content)
}

// likeEscape is the escape character of the list's LIKE: neither a backslash (MySQL's string
// literals treat it as an escape of their own) nor a LIKE wildcard.
const likeEscape = "!"

// likeContaining is the LIKE pattern of the values that contain s, with s's "%", "_" and
// likeEscape taken literally.
func likeContaining(s string) string {
	r := strings.NewReplacer(likeEscape, likeEscape+likeEscape, "%", likeEscape+"%", "_", likeEscape+"_")
	return "%" + r.Replace(s) + "%"
}

// List returns a page of the alarms of the businesses scope covers that pass q's filters, newest
// lastTime first, and the cursor of the next page (nil on the last one). The filters are
// conditions on pulse_alarm's columns; the order and the cursor are its (last_ms, first_seq)
// indexes', so a page reads about as many rows as it holds, unless the filters the indexes do not
// answer (level, text, several statuses, a wide business pattern) reject most of the rows in
// between.
func (s *Service) List(ctx context.Context, q ListQuery, scope model.Scope) ([]model.Alarm, *Cursor, error) {
	rows, err := s.store.list(ctx, q, scope)
	if err != nil {
		return nil, nil, unavailable(err)
	}
	var next *Cursor
	if len(rows) > q.Limit {
		last := rows[q.Limit-1]
		next, rows = &Cursor{LastMs: last.LastMs, FirstSeq: last.FirstSeq}, rows[:q.Limit]
	}
	out := make([]model.Alarm, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal([]byte(r.State), &out[i]); err != nil {
			return nil, nil, gerror.Wrap(err, "alarm store: a stored state is not valid JSON")
		}
	}
	return out, next, nil
}

// statusCondition is the condition that keeps the statuses given, nil for none or all. One status
// is an equality, which pulse_alarm_status_last answers in the list's order; two are written as
// "not the third": a planner given "status IN (a, b)" reads both from that index and sorts all of
// them, where the list's order (pulse_alarm_last), read until the page is full, costs the page.
func statusCondition(statuses []string) func(m *gdb.Model, column string) *gdb.Model {
	all := []string{model.StatusActive, model.StatusAcked, model.StatusCleared}
	var missing []string
	for _, st := range all {
		if !slices.Contains(statuses, st) {
			missing = append(missing, st)
		}
	}
	switch {
	case len(statuses) == 0 || len(missing) == 0:
		return nil
	case len(missing) == 1:
		return func(m *gdb.Model, column string) *gdb.Model { return m.WhereNot(column, missing[0]) }
	default:
		return func(m *gdb.Model, column string) *gdb.Model { return m.WhereIn(column, statuses) }
	}
}

// listRow is a row of the list: the alarm's state and its place in the order.
type listRow struct {
	State    string `orm:"state"`
	LastMs   int64  `orm:"last_ms"`
	FirstSeq int64  `orm:"first_seq"`
}

// list reads up to q.Limit+1 rows of the list (one more than the page tells whether another
// follows).
func (s *store) list(ctx context.Context, q ListQuery, scope model.Scope) ([]listRow, error) {
	t, c := dao.PulseAlarm.Table(), dao.PulseAlarm.Columns()
	m := s.db.Model(t).Ctx(ctx).Fields(c.State, c.LastMs, c.FirstSeq).
		OrderDesc(c.LastMs).OrderDesc(c.FirstSeq).Limit(q.Limit + 1)
	if st := statusCondition(q.Statuses); st != nil {
		m = st(m, c.Status)
	}
	if len(q.Levels) > 0 {
		m = m.WhereIn(c.Level, q.Levels)
	}
	if q.Business != nil {
		m = whereScope(m, t, model.ScopeOf([]model.Pattern{*q.Business}))
	}
	if q.Text != "" {
		m = m.Where(c.SearchText+" LIKE ? ESCAPE '"+likeEscape+"'", likeContaining(strings.ToLower(q.Text)))
	}
	if q.From != nil {
		m = m.WhereGTE(c.LastMs, *q.From)
	}
	if q.To != nil {
		m = m.WhereLTE(c.LastMs, *q.To)
	}
	if a := q.After; a != nil {
		// What follows the cursor, written so that the index seeks to it: SQLite and PostgreSQL
		// seek to a row value; MariaDB does not, but reads the two ranges of the expanded form.
		if s.dialect == "mysql" {
			m = m.Where("("+c.LastMs+" < ? OR ("+c.LastMs+" = ? AND "+c.FirstSeq+" < ?))", a.LastMs, a.LastMs, a.FirstSeq)
		} else {
			m = m.Where("("+c.LastMs+", "+c.FirstSeq+") < (?, ?)", a.LastMs, a.FirstSeq)
		}
	}
	var rows []listRow
	err := whereScope(m, t, scope).Scan(&rows)
	return rows, err
}
