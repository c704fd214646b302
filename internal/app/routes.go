package app

import (
	"context"
	"reflect"

	"github.com/gogf/gf/v2/util/gmeta"

	alarmctl "github.com/pulse-monitoring/pulse/internal/controller/alarm"
	"github.com/pulse-monitoring/pulse/internal/controller/business"
	devicectl "github.com/pulse-monitoring/pulse/internal/controller/device"
	ingestctl "github.com/pulse-monitoring/pulse/internal/controller/ingest"
	notifyctl "github.com/pulse-monitoring/pulse/internal/controller/notify"
	"github.com/pulse-monitoring/pulse/internal/controller/rowdata"
	silencectl "github.com/pulse-monitoring/pulse/internal/controller/silence"
)

// The API's routes have one table: its controllers. GoFrame binds their handlers under apiPrefix,
// and the same handlers' request types, whose g.Meta say each route's path and method, are what
// the guard lets through and the API's description completes. A new handler is a new route for
// all three; there is no list to forget.
const apiPrefix = "/api/v1"

// apiControllers are the controllers bound under apiPrefix.
func (a *App) apiControllers() []any {
	return []any{ingestctl.NewV1(a.Ingest), alarmctl.NewV1(a.Alarms), business.NewV1(a.RowData),
		rowdata.NewV1(a.RowData, a.Config.RowData.Units), notifyctl.NewV1(a.Alarms, a.Notifier),
		silencectl.NewV1(a.Alarms), devicectl.NewV1(a.Alarms.Devices, a.notify.outletsOrNil(), a.Config.Notify.DeviceTTL)}
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// handlerRequests are the request types (&v1.AckReq{}, ...) of the controllers' handlers, found
// as GoFrame's Bind finds them: exported methods func(context.Context, *Req) (*Res, error) whose
// Req carries a g.Meta path.
func handlerRequests(controllers ...any) []any {
	var reqs []any
	for _, c := range controllers {
		t := reflect.TypeOf(c)
		for i := range t.NumMethod() {
			m := t.Method(i).Type // its first input is the receiver
			if m.NumIn() != 3 || m.In(1) != contextType || m.In(2).Kind() != reflect.Pointer ||
				m.NumOut() != 2 || m.Out(1) != errorType {
				continue
			}
			req := reflect.New(m.In(2).Elem()).Interface()
			if gmeta.Get(req, "path").String() != "" {
				reqs = append(reqs, req)
			}
		}
	}
	return reqs
}
