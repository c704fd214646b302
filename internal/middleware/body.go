package middleware

import "context"

type bodyKey struct{}

// Body is the request body the Guard read (nil when there was none). Handlers read their input
// from it, never through GoFrame's request parsing.
func Body(ctx context.Context) []byte {
	b, _ := ctx.Value(bodyKey{}).([]byte)
	return b
}
