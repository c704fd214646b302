package alarm

import (
	"strings"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// whereScope keeps, of m's rows of table, those of the businesses scope covers: a condition on
// the table's business_type and business_id columns (pulse_alarm and pulse_alarm_event name them
// alike), which their business indexes answer, so that a narrow scope reads only its own rows.
// "T/I" is (T, I), "T/*" every id of T, "*" everything; a scope without patterns covers nothing.
func whereScope(m *gdb.Model, table string, scope model.Scope) *gdb.Model {
	patterns, limited := scope.Patterns()
	if !limited || scope.All() {
		return m
	}
	c := dao.PulseAlarm.Columns()
	typ, id := table+"."+c.BusinessType, table+"."+c.BusinessId
	var (
		or        []string
		args      []any
		types     []string // placeholders of the patterns T/*
		typesArgs []any
	)
	for _, p := range patterns {
		if p.ID == model.Wildcard {
			types, typesArgs = append(types, "?"), append(typesArgs, p.Type)
		} else {
			or = append(or, "("+typ+" = ? AND "+id+" = ?)")
			args = append(args, p.Type, p.ID)
		}
	}
	if len(types) > 0 {
		or = append(or, typ+" IN ("+strings.Join(types, ", ")+")")
		args = append(args, typesArgs...)
	}
	if len(or) == 0 {
		return m.Where("1 = 0")
	}
	return m.Where("("+strings.Join(or, " OR ")+")", args...)
}
