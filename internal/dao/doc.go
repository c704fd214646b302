// Package dao names the alarm store's tables and columns, in the shape `gf gen dao` generates for
// manifest/sql's pulse_alarm, pulse_alarm_event, pulse_alarm_seq and pulse_schema: a dao per table (this
// package, where methods of our own would go) over internal/, which holds the table's name and a
// Columns struct, and a row type per table in internal/model/entity. The files are written by
// hand, because the gf CLI is not part of the build; regenerating them with `gf gen dao` would
// change little but the headers and the methods left out below.
//
// One departure: a generated dao also opens its database, through g.DB(group), and offers
// Ctx/DB/Transaction on it. The alarm store opens its own gdb.DB from database.default (checked by
// internal/config, one per node, and several per test process), so here a dao holds names only:
// the store writes db.Model(dao.PulseAlarm.Table()) or tx.Model(...) on its own connection, and a
// dao cannot quietly open a second pool from GoFrame's default configuration.
package dao
