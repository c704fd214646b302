package ingest

import (
	"context"

	"github.com/gogf/gf/v2/errors/gerror"
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// retryKey is the request's Idempotency-Key, scoped to the ingest key it authenticated with (one
// scope with auth off) and tied to its raw body; nil when the request has none.
func retryKey(ctx context.Context) (*idempotency.Key, error) {
	values := g.RequestFromCtx(ctx).Header.Values(idempotency.Header)
	switch len(values) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, gerror.NewCodef(consts.CodeInvalidInput, "%s: send it once, got %d", idempotency.Header, len(values))
	}
	scope := ""
	if k, ok := ingestkey.FromContext(ctx); ok {
		scope = k.Name()
	}
	key, err := idempotency.New(scope, values[0], middleware.Body(ctx))
	if err != nil {
		return nil, err
	}
	return &key, nil
}

// markReplayed says in the answer that it is the one a request with the same key got before.
func markReplayed(ctx context.Context) {
	g.RequestFromCtx(ctx).Response.Header().Set(idempotency.ReplayedHeader, "true")
}
