package app

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogf/gf/v2/frame/g"
	"github.com/gogf/gf/v2/net/ghttp"

	healthv1 "github.com/pulse-monitoring/pulse/api/health/v1"
	"github.com/pulse-monitoring/pulse/internal/apidoc"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// defaultOpenAPIPath is where the API's description is served when server.openapiPath is not set.
const defaultOpenAPIPath = "/api.json"

// apiDoc serves the API's OpenAPI description: GoFrame generates it from the api/** types when
// the server starts, apidoc.Complete completes it, and the result is served as it is from then on.
// GoFrame generates it only once the server listens, so a request that comes in the moment
// between (a client that waited for /healthz) waits for the completion rather than failing.
type apiDoc struct {
	routes    []any // the API's request types (handlerRequests)
	doc       atomic.Pointer[[]byte]
	readyOnce sync.Once
	readyCh   chan struct{} // closed once complete has run
}

// apiDocWait bounds how long a request for the description waits for its completion.
const apiDocWait = 10 * time.Second

func (d *apiDoc) ready() chan struct{} {
	d.readyOnce.Do(func() { d.readyCh = make(chan struct{}) })
	return d.readyCh
}

// describeAPI sets up the description's generation and its route, server.openapiPath (GoFrame's
// own handler there never runs: the hook answers first).
func (a *App) describeAPI(s *ghttp.Server) {
	if g.Cfg().MustGet(context.Background(), "server.openapiPath").IsNil() {
		s.SetOpenApiPath(defaultOpenAPIPath)
	}
	// GoFrame's own API page loads its script from a CDN: the console's build has one, at /api.
	s.SetSwaggerPath("")
	oai := s.GetOpenApi()
	oai.Config.CommonResponse = middleware.Envelope{}
	oai.Config.CommonResponseDataField = "Data"
	if path := s.GetOpenApiPath(); path != "" {
		s.BindHookHandler(path, ghttp.HookBeforeServe, a.apiDoc.serve)
	}
}

// complete completes what GoFrame generated at the server's start; called once, after Start.
func (d *apiDoc) complete(s *ghttp.Server, version string) error {
	defer close(d.ready())
	if s.GetOpenApiPath() == "" {
		return nil
	}
	doc, err := apidoc.Complete(s.GetOpenApi(), apidoc.Input{
		Title:       "Pulse",
		Version:     version,
		Description: description,
		Prefix:      apiPrefix,
		Routes:      d.routes,
		Plain:       []any{&healthv1.HealthzReq{}, &healthv1.ReadyzReq{}},
		Responses:   responseTypes(s),
	})
	if err != nil {
		return err
	}
	d.doc.Store(&doc)
	return nil
}

// serve answers with the completed description, waiting for it in the moment between the
// server's start and its completion (503 if it does not come).
func (d *apiDoc) serve(r *ghttp.Request) {
	doc := d.doc.Load()
	if doc == nil {
		wait := time.NewTimer(apiDocWait)
		select {
		case <-d.ready():
			doc = d.doc.Load()
		case <-wait.C:
		case <-r.Context().Done():
		}
		wait.Stop()
	}
	r.Response.Header().Set("Cache-Control", "no-cache")
	if doc == nil {
		middleware.WriteError(r, consts.CodeUnavailable, "the API description is being generated: retry")
	} else {
		r.Response.Header().Set("Content-Type", "application/json")
		r.Response.Write(*doc)
	}
	r.ExitAll()
}

// responseTypes are the response types of the server's handlers (func(ctx, *XReq) (*XRes, error)).
func responseTypes(s *ghttp.Server) []any {
	var types []any
	for _, r := range s.GetRoutes() {
		info := r.Handler.Info
		if info.IsStrictRoute && info.Type != nil && info.Type.NumOut() == 2 {
			types = append(types, reflect.Zero(info.Type.Out(0)).Interface())
		}
	}
	return types
}

// description is the API description's introduction.
const description = `Pulse pushes live business data (row data) to dashboards and alarms to alarm consoles over
WebSocket (/ws/rowdata/{businessType}/{businessId}/{userName}, /ws/alarm), or as Server-Sent Events
where WebSocket is blocked (/sse/rowdata/..., /sse/alarm); their messages are described by the JSON
Schemas in docs/. This is its HTTP API: services publish row data and
alarms, people acknowledge, clear and list alarms.

Every answer is {code, message, data}: code 0 and data on success, a non-zero code, a message for
people and data null on a refusal, with the HTTP status of the code. Bodies are JSON
(Content-Type: application/json, UTF-8), decoded strictly: an unknown field, a duplicate key or a
value of the wrong type is 400 naming the field. A POST takes no query parameters; a GET takes
only its own, each once.

Credentials (auth.enabled: true): ingest keys on the ingest endpoints, a user's JWT on the others;
with auth off (the default) none are needed.`
