package middleware

import (
	"reflect"
	"strings"

	"github.com/gogf/gf/v2/util/gmeta"
)

// route is one documented API endpoint, read from its request type's g.Meta: the guard lets
// nothing else through to GoFrame.
type route struct {
	method   string   // "GET" or "POST"
	segments []string // "/alarms/{alarmId}/ack" → ["alarms", "{alarmId}", "ack"]
	query    []string // query parameter names (fields tagged in:"query")
	// credential is what the route takes when auth is on (g.Meta's credential tag):
	// CredentialIngestKey, CredentialToken or CredentialKeyOrToken.
	credential string
}

// The credentials a route's g.Meta may name in its credential tag.
const (
	CredentialIngestKey = "ingestKey" // an ingest service's API key
	CredentialToken     = "token"     // a user's JWT
	// CredentialKeyOrToken is either: an X-API-Key, or a bearer credential that is not shaped
	// like a JWT, is an ingest key; a bearer JWT is a user's token.
	CredentialKeyOrToken = "ingestKeyOrToken"
)

// newRoute reads the route of a request type such as &v1.AckReq{} mounted under prefix.
func newRoute(prefix string, req any) route {
	r := route{
		method:     strings.ToUpper(gmeta.Get(req, "method").String()),
		segments:   split(prefix + gmeta.Get(req, "path").String()),
		credential: gmeta.Get(req, "credential").String(),
	}
	t := reflect.TypeOf(req)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("in") == "query" {
			r.query = append(r.query, strings.Split(f.Tag.Get("json"), ",")[0])
		}
	}
	return r
}

// matches reports whether the request path (already split) is this route's.
func (r route) matches(path []string) bool {
	if len(path) != len(r.segments) {
		return false
	}
	for i, s := range r.segments {
		if strings.HasPrefix(s, "{") {
			if path[i] == "" {
				return false
			}
			continue
		}
		if s != path[i] {
			return false
		}
	}
	return true
}

// takes reports whether name is one of the route's query parameters.
func (r route) takes(name string) bool {
	for _, q := range r.query {
		if q == name {
			return true
		}
	}
	return false
}

func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}
