package app

import (
	"net/http"

	"pulse/internal/auth"
	"pulse/internal/auth/ingestkey"
	"pulse/internal/config"
	"pulse/internal/controller/ws"
	"pulse/internal/middleware"
)

// access is identity and access when auth is on: the tokens of people at the WebSocket door and on
// the alarm API, the keys of ingest services on the ingest API.
type access struct {
	door *ws.Access
	api  *middleware.Credentials
}

// newAccess builds the checks of auth; nil when auth is off.
func newAccess(cfg config.Auth) (*access, error) {
	if !cfg.Enabled {
		return nil, nil
	}
	tokens, err := auth.New(cfg.JWT)
	if err != nil {
		return nil, err
	}
	specs := make([]ingestkey.Spec, len(cfg.IngestKeys))
	for i, k := range cfg.IngestKeys {
		specs[i] = ingestkey.Spec(k)
	}
	keys, err := ingestkey.New(specs)
	if err != nil {
		return nil, err
	}
	return &access{door: ws.NewAccess(tokens), api: &middleware.Credentials{Tokens: tokens, Keys: keys, Users: auth.NewUserRate(cfg.UserRate)}}, nil
}

// authenticate is the guard's credential check; nil with auth off.
func (a *access) authenticate() func(*http.Request, string) (*http.Request, error) {
	if a == nil {
		return nil
	}
	return a.api.Authenticate
}
