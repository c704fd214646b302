package alarm

import (
	"context"
	"slices"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/dao"
	schema "github.com/pulse-monitoring/pulse/manifest/sql"
)

// migrate brings the store in db to schema.Version: a new store gets pulse.sql; an older one
// gets the steps of manifest/sql/<dialect>/migrate from its version on, each in a transaction
// with its version (MySQL commits each DDL statement on its own: a step it fails half-way has to
// be finished by hand), then pulse.sql for the tables added since. A store at a version this
// binary does not know (a newer release wrote it) is refused: it would be written wrongly.
//
// Version 1 is the schema before pulse_schema existed: a store with pulse_alarm and without
// pulse_schema is at version 1.
func migrate(ctx context.Context, db gdb.DB, dialect string) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return gerror.Wrap(err, "alarm store: listing the tables")
	}
	version := 0 // no store yet
	switch {
	case slices.Contains(tables, dao.PulseSchema.Table()):
		if version, err = schemaVersion(ctx, db); err != nil {
			return err
		}
	case slices.Contains(tables, dao.PulseAlarm.Table()):
		version = 1
	}
	if version > schema.Version {
		return gerror.Newf("alarm store: the database's schema is version %d, newer than this binary knows (%d): "+
			"run the release that wrote it, or a newer one", version, schema.Version)
	}
	if version > 0 {
		for v := version + 1; v <= schema.Version; v++ {
			if err := migrateStep(ctx, db, dialect, v); err != nil {
				return err
			}
		}
	}
	stmts, err := schema.Statements(dialect)
	if err != nil {
		return gerror.Wrap(err, "alarm store")
	}
	for _, stmt := range stmts {
		if _, err := db.Exec(ctx, stmt); err != nil {
			return gerror.Wrapf(err, "alarm store: creating the schema (%s)", dialect)
		}
	}
	return setSchemaVersion(ctx, db, schema.Version)
}

// migrateStep moves the store from version-1 to version.
func migrateStep(ctx context.Context, db gdb.DB, dialect string, version int) error {
	stmts, err := schema.Step(dialect, version)
	if err != nil {
		return gerror.Wrap(err, "alarm store")
	}
	err = db.Transaction(ctx, func(ctx context.Context, tx gdb.TX) error {
		for _, stmt := range stmts {
			if _, err := tx.Exec(stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return gerror.Wrapf(err, "alarm store: moving the schema to version %d (%s)", version, dialect)
	}
	return setSchemaVersion(ctx, db, version)
}

// schemaVersion is the version pulse_schema holds; 1 when it holds none.
func schemaVersion(ctx context.Context, db gdb.DB) (int, error) {
	c := dao.PulseSchema.Columns()
	v, err := db.Model(dao.PulseSchema.Table()).Ctx(ctx).Fields(c.Version).Where(c.Id, 1).Value()
	if err != nil {
		return 0, gerror.Wrap(err, "alarm store: reading the schema version")
	}
	if v.IsNil() {
		return 1, nil
	}
	return v.Int(), nil
}

// setSchemaVersion records version in pulse_schema (which pulse.sql, or the step to version 2,
// creates). Two nodes starting together record the same version.
func setSchemaVersion(ctx context.Context, db gdb.DB, version int) error {
	t, c := dao.PulseSchema.Table(), dao.PulseSchema.Columns()
	n, err := db.Model(t).Ctx(ctx).Where(c.Id, 1).Count()
	switch {
	case err != nil:
	case n == 0:
		_, err = db.Model(t).Ctx(ctx).Data(g.Map{c.Id: 1, c.Version: version}).Insert()
	default:
		_, err = db.Model(t).Ctx(ctx).Data(c.Version, version).Where(c.Id, 1).Update()
	}
	if err != nil {
		if got, rerr := schemaVersion(ctx, db); rerr == nil && got == version {
			return nil // another node recorded it in between
		}
		return gerror.Wrapf(err, "alarm store: recording schema version %d", version)
	}
	return nil
}
